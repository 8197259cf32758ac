import CCosineKernels
import CosineCore

/// Rows `x / max(‖x‖, eps)` of a matrix in the kernels' element type, with what the backward
/// pass of the normalization needs.
///
/// Norms are taken in `Double` as in ``Packing`` (`Double` rows outside the safe range are
/// rescaled by a power of two first), so no finite row overflows. The normalized rows are
/// rounded once to `E`.
package struct NormalizedRows<E: KernelScalar>: @unchecked Sendable where E.Working == E {
  package let rows: Int
  package let dim: Int
  /// Row-major normalized rows.
  package let values: [E]
  /// Per row: the power of two the row was divided by before summing (1 for most rows).
  package let pre: [Double]
  /// Per row: `1 / max(‖x/pre‖, eps/pre)`.
  package let post: [Double]
  /// Per row: whether the floor is active (the norm is a constant there).
  package let floored: [Bool]

  package init<T: TensorScalar>(_ x: UnsafeBufferPointer<T>, rows: Int, dim: Int, eps: Double) {
    guard let kernels = T.kernels else {
      // A scalar type outside the library: its rows in Double, through Double's kernels.
      let xs = x.map { Double($0) }
      self = xs.withUnsafeBufferPointer { NormalizedRows($0, rows: rows, dim: dim, eps: eps) }
      return
    }
    self.rows = rows
    self.dim = dim
    var pre = [Double](repeating: 1, count: rows)
    var post = [Double](repeating: 1, count: rows)
    var floored = [Bool](repeating: false, count: rows)
    var sums = [Double](repeating: 0, count: rows)
    let base = x.baseAddress
    if rows > 0, dim > 0, let base {
      sums.withUnsafeMutableBufferPointer { s in
        kernels.sumsOfSquares(base, rows: rows, dim: dim, into: s.baseAddress!)
      }
    }
    let floor = NormFloor.clamp(eps)
    let mayNeedRescaling = kernels.mayNeedRescaling
    for r in 0..<rows {
      if mayNeedRescaling, dim > 0, let base, Rescaling.needsRescale(sums[r]) {
        var m = 0.0
        for k in 0..<dim {
          let v = Swift.abs(Double(base[r * dim + k]))
          if !(v <= m) { m = v }
        }
        let s = Rescaling.scale(forMaxMagnitude: m)
        if s != 1 {
          let inv = 1 / s
          var q = 0.0
          for k in 0..<dim {
            let v = Double(base[r * dim + k]) * inv
            q += v * v
          }
          sums[r] = q
          pre[r] = inv
        }
      }
      let (m, k, _) = floor.effectiveNorm(sumOfSquares: sums[r], scale: 1 / pre[r])
      post[r] = 1 / m
      floored[r] = k == 0 && !m.isNaN
    }
    var values = [E](repeating: 0, count: rows * dim)
    for r in 0..<rows {
      let p = pre[r]
      let q = post[r]
      for k in 0..<dim { values[r * dim + k] = E((Double(x[r * dim + k]) * p) * q) }
    }
    self.values = values
    self.pre = pre
    self.post = post
    self.floored = floored
  }

  /// The exactly normalized row `r` in `Double`.
  @inline(__always)
  package func unit<T: TensorScalar>(_ x: UnsafeBufferPointer<T>, row r: Int, k: Int) -> Double {
    (Double(x[r * dim + k]) * pre[r]) * post[r]
  }

  /// Writes row `r` of the gradient with respect to the raw rows into `out`, given the gradient
  /// `g` (one row, `Double`) with respect to the normalized row: `(g − (x̂·g) x̂) / ‖x‖`, or
  /// `g / eps` where the floor is active (the exact gradient of `x / max(‖x‖, eps)`).
  package func backward<T: TensorScalar>(
    _ x: UnsafeBufferPointer<T>, row r: Int, gradient g: UnsafeBufferPointer<Double>,
    into out: UnsafeMutableBufferPointer<T>
  ) {
    let inv = post[r] * pre[r]  // 1 / norm in real units
    if floored[r] {
      for k in 0..<dim { out[r * dim + k] = T(g[k] * inv) }
      return
    }
    var dot = 0.0
    for k in 0..<dim { dot += unit(x, row: r, k: k) * g[k] }
    for k in 0..<dim { out[r * dim + k] = T((g[k] - dot * unit(x, row: r, k: k)) * inv) }
  }
}

extension NormalizedRows {
  /// As ``backward(_:row:gradient:into:)``, writing the one row to `out[0..<dim]` in `Double`.
  package func backwardRow<T: TensorScalar>(
    _ x: UnsafeBufferPointer<T>, row r: Int, gradient g: UnsafeBufferPointer<Double>,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let inv = post[r] * pre[r]
    if floored[r] {
      for k in 0..<dim { out[k] = g[k] * inv }
      return
    }
    var dot = 0.0
    for k in 0..<dim { dot += unit(x, row: r, k: k) * g[k] }
    for k in 0..<dim { out[k] = (g[k] - dot * unit(x, row: r, k: k)) * inv }
  }
}
