import CosineCore

/// The dense layer `y = x·W + b` (W `[inputs, outputs]` row-major) and its derivatives:
/// `∂L/∂W += xᵀ·∂L/∂y`, `∂L/∂b += Σ_rows ∂L/∂y`, `∂L/∂x += ∂L/∂y·Wᵀ`. Every product is one packed
/// GEMM split across the threads (rows of `y` and `∂L/∂x`, rows of `∂L/∂W`).
package enum DenseOp<Scalar: EncoderScalar> {
  /// `y[r] = x[r]·W + b` for `rows` rows; `x` and `y` have row strides `ldx` and `ldy`.
  package static func forward(
    _ x: UnsafePointer<Scalar>, ldx: Int, rows: Int, weight w: UnsafePointer<Scalar>, bias: UnsafePointer<Scalar>,
    inputs k: Int, outputs n: Int, into y: UnsafeMutablePointer<Scalar>, ldy: Int
  ) {
    Parallel.forEachChunk(rows, costPerItem: n * k) { _, range in
      for r in range { (y + r * ldy).update(from: bias, count: n) }
      Scalar.gemm(
        m: range.count, n: n, k: k, a: x + range.lowerBound * ldx, lda: ldx, b: w, ldb: n,
        c: y + range.lowerBound * ldy, ldc: ldy)
    }
  }

  /// `∂W += xᵀ·dy` (`[inputs, outputs]`) and `∂b += Σ_r dy[r]`.
  package static func parameterGradients(
    _ x: UnsafePointer<Scalar>, ldx: Int, dy: UnsafePointer<Scalar>, ldy: Int, rows: Int, inputs k: Int,
    outputs n: Int, weight dw: UnsafeMutablePointer<Scalar>, bias db: UnsafeMutablePointer<Scalar>
  ) {
    Parallel.forEachChunk(k, costPerItem: rows * n) { _, range in
      Scalar.gemm(
        m: range.count, n: n, k: rows, a: x + range.lowerBound, aRowStride: 1, aColumnStride: ldx, b: dy, ldb: ldy,
        c: dw + range.lowerBound * n, ldc: n)
    }
    Parallel.forEachRange(n, costPerItem: rows) { range in
      for r in 0..<rows {
        let row = dy + r * ldy
        for j in range { db[j] += row[j] }
      }
    }
  }

  /// `dx += dy·Wᵀ`, given `transposed` = Wᵀ (`[outputs, inputs]` row-major).
  package static func inputGradient(
    _ dy: UnsafePointer<Scalar>, ldy: Int, rows: Int, transposed wt: UnsafePointer<Scalar>, inputs k: Int,
    outputs n: Int, into dx: UnsafeMutablePointer<Scalar>, ldx: Int
  ) {
    Parallel.forEachChunk(rows, costPerItem: n * k) { _, range in
      Scalar.gemm(
        m: range.count, n: k, k: n, a: dy + range.lowerBound * ldy, lda: ldy, b: wt, ldb: k,
        c: dx + range.lowerBound * ldx, ldc: ldx)
    }
  }

  /// `out[c][r] = w[r][c]` for a row-major `rows` × `cols` matrix, in tiles.
  package static func transpose(
    _ w: UnsafePointer<Scalar>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Scalar>
  ) {
    let tile = 32
    Parallel.forEachRange((rows + tile - 1) / tile, costPerItem: tile * cols) { blocks in
      for rb in blocks {
        let r0 = rb * tile
        let r1 = Swift.min(rows, r0 + tile)
        var c0 = 0
        while c0 < cols {
          let c1 = Swift.min(cols, c0 + tile)
          for r in r0..<r1 { for c in c0..<c1 { out[c * rows + r] = w[r * cols + c] } }
          c0 = c1
        }
      }
    }
  }
}
