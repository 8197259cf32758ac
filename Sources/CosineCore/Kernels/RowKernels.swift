import CCosineKernels

/// Contiguous-row kernels: `rows` rows of `length` elements, row `r` at `r * length`.
///
/// These are the hot loops of every row-wise op. Each scalar type's ``KernelScalar``
/// conformance calls the fused SIMD kernels of the `CCosineKernels` target (AVX-512 or AVX2,
/// chosen at run time, with a portable C fallback); any other ``TensorScalar`` runs the portable
/// Swift loops. Accumulation is in `Double` (`Float` for `Float16` on the SIMD path).
package enum RowKernels {
  /// Per row: `out[3r] = Σ a·b`, `out[3r+1] = Σ a²`, `out[3r+2] = Σ b²`.
  @inline(__always)
  package static func rowSums<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    if let k = T.kernels {
      k.rowSums(a, b, rows: rows, length: n, into: out)
    } else {
      PortableKernels.rowSums(a, b, rows, n, out)
    }
  }

  /// Per row with `c = coefficients + 4r`: `gA = c0·b − c1·a`, `gB = c2·a − c3·b`, formed in
  /// `Double` (`Float` for `Float16`) and rounded once.
  @inline(__always)
  package static func rowGrad<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, rows: Int, length n: Int,
    coefficients c: UnsafePointer<Double>, gradA: UnsafeMutablePointer<T>, gradB: UnsafeMutablePointer<T>
  ) {
    if let k = T.kernels {
      k.rowGrad(a, b, rows: rows, length: n, coefficients: c, gradA: gradA, gradB: gradB)
    } else {
      PortableKernels.rowGrad(a, b, rows, n, c, gradA, gradB)
    }
  }

  /// Per row: `out[r·n + i] = scale[r] · x[r·n + i]`.
  @inline(__always)
  package static func rowScale<T: TensorScalar>(
    _ x: UnsafePointer<T>, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutablePointer<T>
  ) {
    if let k = T.kernels {
      k.rowScale(x, rows: rows, length: n, scale: scale, into: out)
    } else {
      PortableKernels.rowScale(x, rows, n, scale, out)
    }
  }
}
