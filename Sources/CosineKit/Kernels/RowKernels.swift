import CCosineKernels

/// Contiguous-row kernels: `rows` rows of `length` elements, row `r` at `r * length`.
///
/// These are the hot loops of every row-wise op. For `Float`, `Double` and `Float16` they call
/// the fused SIMD kernels of the `CCosineKernels` target (AVX-512 or AVX2, chosen at run time,
/// with a portable C fallback); any other ``TensorScalar`` runs the portable Swift loops.
/// Accumulation is in `Double` (`Float` for `Float16` on the SIMD path).
enum RowKernels {
  /// Per row: `out[3r] = Σ a·b`, `out[3r+1] = Σ a²`, `out[3r+2] = Σ b²`.
  @inline(__always)
  static func rowSums<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    if T.self == Float.self {
      ck_rowsums_f32(cast(a), cast(b), rows, n, out)
    } else if T.self == Double.self {
      ck_rowsums_f64(cast(a), cast(b), rows, n, out)
    } else if T.self == Float16.self {
      ck_rowsums_f16(cast(a), cast(b), rows, n, out)
    } else {
      for r in 0..<rows {
        let s = StridedKernels.sums(a + r * n, 1, b + r * n, 1, n)
        (out[3 * r], out[3 * r + 1], out[3 * r + 2]) = s
      }
    }
  }

  /// Per row with `c = coefficients + 4r`: `gA = c0·b − c1·a`, `gB = c2·a − c3·b`, formed in
  /// `Double` (`Float` for `Float16`) and rounded once.
  @inline(__always)
  static func rowGrad<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, rows: Int, length n: Int,
    coefficients c: UnsafePointer<Double>, gradA: UnsafeMutablePointer<T>, gradB: UnsafeMutablePointer<T>
  ) {
    if T.self == Float.self {
      ck_rowgrad_f32(cast(a), cast(b), rows, n, c, cast(gradA), cast(gradB))
    } else if T.self == Double.self {
      ck_rowgrad_f64(cast(a), cast(b), rows, n, c, cast(gradA), cast(gradB))
    } else if T.self == Float16.self {
      ck_rowgrad_f16(cast(a), cast(b), rows, n, c, cast(gradA), cast(gradB))
    } else {
      for r in 0..<rows {
        let ca = c[4 * r]
        let da = c[4 * r + 1]
        let cb = c[4 * r + 2]
        let db = c[4 * r + 3]
        let pa = a + r * n
        let pb = b + r * n
        let ga = gradA + r * n
        let gb = gradB + r * n
        for i in 0..<n {
          let x = Double(pa[i])
          let y = Double(pb[i])
          ga[i] = T(ca * y - da * x)
          gb[i] = T(cb * x - db * y)
        }
      }
    }
  }

  /// Per row: `out[r·n + i] = scale[r] · x[r·n + i]`.
  @inline(__always)
  static func rowScale<T: TensorScalar>(
    _ x: UnsafePointer<T>, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutablePointer<T>
  ) {
    if T.self == Float.self {
      ck_rowscale_f32(cast(x), rows, n, scale, cast(out))
    } else if T.self == Double.self {
      ck_rowscale_f64(cast(x), rows, n, scale, cast(out))
    } else if T.self == Float16.self {
      ck_rowscale_f16(cast(x), rows, n, scale, cast(out))
    } else {
      for r in 0..<rows {
        let s = scale[r]
        for i in 0..<n { out[r * n + i] = T(s * Double(x[r * n + i])) }
      }
    }
  }

  /// Reinterprets a typed pointer as the C kernel's element type (same size and layout:
  /// `Float16` is passed as its IEEE binary16 bits).
  @inline(__always)
  private static func cast<T, U>(_ p: UnsafePointer<T>) -> UnsafePointer<U> {
    UnsafeRawPointer(p).assumingMemoryBound(to: U.self)
  }

  @inline(__always)
  private static func cast<T, U>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<U> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
  }
}
