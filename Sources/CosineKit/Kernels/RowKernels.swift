import RealModule

/// Contiguous-row kernels: `rows` rows of `length` elements, row `r` at `r * length`.
///
/// These are the hot loops of every row-wise op. They dispatch on the scalar type to the SIMD
/// kernels of the `CCosineKernels` target where one exists and otherwise run portable Swift.
enum RowKernels {
  /// Per row: `out[3r] = Σ a·b`, `out[3r+1] = Σ a²`, `out[3r+2] = Σ b²`.
  @inline(__always)
  static func rowSums<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    for r in 0..<rows {
      let s = StridedKernels.sums(a + r * n, 1, b + r * n, 1, n)
      out[3 * r] = s.0
      out[3 * r + 1] = s.1
      out[3 * r + 2] = s.2
    }
  }

  /// Per row: `out[r] = Σ x²`.
  @inline(__always)
  static func rowSumOfSquares<T: TensorScalar>(
    _ x: UnsafePointer<T>, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    for r in 0..<rows {
      out[r] = StridedKernels.sumOfSquares(x + r * n, 1, n)
    }
  }

  /// Per row with `c = coefficients + 4r`: `gA = c0·b − c1·a`, `gB = c2·a − c3·b`.
  @inline(__always)
  static func rowGrad<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, rows: Int, length n: Int,
    coefficients c: UnsafePointer<Double>, gradA: UnsafeMutablePointer<T>?, gradB: UnsafeMutablePointer<T>?
  ) {
    for r in 0..<rows {
      let ca = c[4 * r], da = c[4 * r + 1], cb = c[4 * r + 2], db = c[4 * r + 3]
      let pa = a + r * n, pb = b + r * n
      if let ga = gradA {
        let g = ga + r * n
        for i in 0..<n { g[i] = T(ca * Double(pb[i]) - da * Double(pa[i])) }
      }
      if let gb = gradB {
        let g = gb + r * n
        for i in 0..<n { g[i] = T(cb * Double(pa[i]) - db * Double(pb[i])) }
      }
    }
  }

  /// Per row: `out[r·n + i] = scale[r] · x[r·n + i]`.
  @inline(__always)
  static func rowScale<T: TensorScalar>(
    _ x: UnsafePointer<T>, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutablePointer<T>
  ) {
    for r in 0..<rows {
      let s = scale[r]
      for i in 0..<n { out[r * n + i] = T(s * Double(x[r * n + i])) }
    }
  }
}
