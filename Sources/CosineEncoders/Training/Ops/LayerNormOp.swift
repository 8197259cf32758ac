import CosineCore

/// LayerNorm over rows, `y = x̂·γ + β` with `x̂ = (x − mean)·r`, `r = 1/√(var + eps)` (the biased
/// variance), and its derivatives:
/// `∂L/∂γ += Σ_rows ∂L/∂y·x̂`, `∂L/∂β += Σ_rows ∂L/∂y`, and with `g = ∂L/∂y·γ`,
/// `∂L/∂x = r·(g − mean(g) − x̂·mean(g·x̂))`.
package enum LayerNormOp<Scalar: EncoderScalar> {
  /// `x ← LayerNorm(x + residual)` row by row, saving `x̂` (`[rows, width]`) and `r` (`[rows]`).
  package static func forward(
    _ x: UnsafeMutablePointer<Scalar>, adding residual: UnsafePointer<Scalar>?, rows: Int, width w: Int,
    gamma: UnsafePointer<Scalar>, beta: UnsafePointer<Scalar>, eps: Scalar,
    normalized xhat: UnsafeMutablePointer<Scalar>, inverseDeviation rstd: UnsafeMutablePointer<Scalar>
  ) {
    Parallel.forEachRange(rows, costPerItem: 8 * w) { range in
      for r in range {
        rstd[r] = Scalar.addLayerNormRow(
          x + r * w, add: residual.map { $0 + r * w }, width: w, gamma: gamma, beta: beta, eps: eps,
          normalized: xhat + r * w)
      }
    }
  }

  /// `dx = ∂L/∂x` from `dy = ∂L/∂y` (`dx` may be `dy`), accumulating `∂L/∂γ` and `∂L/∂β`.
  package static func backward(
    _ dy: UnsafePointer<Scalar>, normalized xhat: UnsafePointer<Scalar>, inverseDeviation rstd: UnsafePointer<Scalar>,
    rows: Int, width w: Int, gamma: UnsafePointer<Scalar>, dGamma: UnsafeMutablePointer<Scalar>,
    dBeta: UnsafeMutablePointer<Scalar>, into dx: UnsafeMutablePointer<Scalar>
  ) {
    let chunks = Parallel.chunkCount(rows, costPerItem: 8 * w, grain: .streaming)
    guard chunks > 0 else { return }
    let partial = TrainingBuffer<Scalar>(count: chunks * 2 * w)
    Parallel.run(rows, chunks: chunks) { chunk, range in
      let pg = partial.pointer + chunk * 2 * w
      let pb = pg + w
      for r in range {
        let d = dy + r * w
        let n = xhat + r * w
        var meanG: Scalar = 0
        var meanGX: Scalar = 0
        for j in 0..<w {
          pg[j] += d[j] * n[j]
          pb[j] += d[j]
          let g = d[j] * gamma[j]
          meanG += g
          meanGX += g * n[j]
        }
        meanG /= Scalar(w)
        meanGX /= Scalar(w)
        let inv = rstd[r]
        let out = dx + r * w
        for j in 0..<w { out[j] = inv * (d[j] * gamma[j] - meanG - n[j] * meanGX) }
      }
    }
    for c in 0..<chunks {
      for j in 0..<w {
        dGamma[j] += partial.pointer[c * 2 * w + j]
        dBeta[j] += partial.pointer[c * 2 * w + w + j]
      }
    }
  }
}
