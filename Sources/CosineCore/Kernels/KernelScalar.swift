import RealModule

/// A ``TensorScalar`` that carries its kernels: every entry point into the C kernels (row-wise
/// sums and gradients, packing for the GEMM, the analyses' accumulation, the training products)
/// that depends on the storage type, in one conformance per type (`Float`, `Double`, `Float16`;
/// see `KernelScalar+Float.swift` and its siblings).
///
/// Generic code reaches it through ``TensorScalar/kernels``: one cast, folded away where the
/// type is known at compile time. The witnesses are concrete code of their type, so the kernels
/// run specialized even when the caller is not (an existential, another module).
///
/// Element pointers and arrays are passed untyped (`UnsafeRawPointer`) or as `[T]`; they hold
/// elements of `Self` (`T` is always `Self`). Requirements with a default implementation below
/// run the portable Swift loops; a type overrides those it has a C kernel for.
///
/// Adding a kernel: a requirement here (with a portable default where one makes sense) and its
/// C call in each conformance. Adding a scalar type: one conformance.
package protocol KernelScalar: TensorScalar {
  /// The element type of the packed kernels and of the training products: `Float` for `Float`
  /// and `Float16` storage, `Double` for `Double`. It is its own working type.
  associatedtype Working: KernelScalar where Working.Working == Working

  /// Whether a row's sum of squares can leave the range where `Double` holds it exactly enough
  /// (so rows are rescaled by a power of two first); true for `Double` only.
  static var mayNeedRescaling: Bool { get }

  /// Whether a finite gradient beyond this type's range should saturate to its largest finite
  /// value instead of becoming infinite; true for `Float16`.
  static var saturatesGradients: Bool { get }

  // MARK: Row kernels (CCosineKernels)

  /// Per row: `out[3r] = Σ a·b`, `out[3r+1] = Σ a²`, `out[3r+2] = Σ b²`, accumulated in `Double`
  /// (`Float` for `Float16`).
  static func rowSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>)

  /// Per row with `c = coefficients + 4r`: `gA = c0·b − c1·a`, `gB = c2·a − c3·b`, rounded once.
  static func rowGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer)

  /// Per row: `out[r·n + i] = scale[r] · x[r·n + i]`, rounded once.
  static func rowScale(
    _ x: UnsafeRawPointer, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutableRawPointer)

  /// Per column `i < w`: `d[i] += a[i]·b[i]`, `q1[i] += a[i]²`, `q2[i] += b[i]²` in `Double`.
  static func columnSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, dot d: UnsafeMutablePointer<Double>,
    q1: UnsafeMutablePointer<Double>, q2: UnsafeMutablePointer<Double>)

  /// Per column `i < w`: `gA[i] = ca[i]·b[i] − da[i]·a[i]`, `gB[i] = cb[i]·a[i] − db[i]·b[i]`.
  static func columnGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, ca: UnsafePointer<Double>,
    da: UnsafePointer<Double>, cb: UnsafePointer<Double>, db: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer)

  // MARK: Packing and analyses (CCosineKernels gemm/, analysis/)

  /// Per row, Σ x² accumulated in `Double` in a fixed order: `out[r] = Σ_k x[r·dim + k]²`.
  static func sumsOfSquares(_ x: UnsafeRawPointer, rows: Int, dim: Int, into out: UnsafeMutablePointer<Double>)

  /// Packs `rows` rows into panels of width `width`: element (r, k) becomes
  /// `(x[r][k] · pre[r]) · post[r]` in `Double`, rounded once (`pre` nil: factor 1).
  static func pack(
    _ x: UnsafeRawPointer, rows: Int, dim: Int, pre: UnsafePointer<Double>?, post: UnsafePointer<Double>,
    width: Int, into dest: UnsafeMutablePointer<Working>)

  // MARK: Packed kernels in the working type (CCosineKernels gemm/, loss/)
  //
  // Called on the working type (`E` with `E.Working == E`); a type whose working type is
  // another (`Float16`) forwards them to it by default.

  /// Corpus panel width for newly packed data (depends on the instruction set).
  static var preferredPanelWidth: Int { get }

  /// Register-block height that suits corpus panels of width `panelWidth`.
  static func preferredQueryWidth(panelWidth: Int) -> Int

  /// `c[i·ldc + j] = clamp(Σ_k a_i[k]·b_j[k])` for `i < m`, `j < n` (see `ck_gemm_f32`).
  static func gemm(
    _ a: UnsafePointer<Working>, rows m: Int, width aw: Int, _ b: UnsafePointer<Working>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Working>, rowStride ldc: Int)

  /// `float(x)` or `double(x)`, whichever takes `Working` (the training kernels of this precision).
  static func select(
    _ x: [Working], float: ([Float]) -> [Float], double: ([Double]) -> [Double]
  ) -> [Working]

  /// Two-input form of ``select(_:float:double:)``.
  static func select(
    _ x: [Working], _ y: [Working], float: ([Float], [Float]) -> [Float],
    double: ([Double], [Double]) -> [Double]
  ) -> [Working]

  /// Three-input form of ``select(_:float:double:)``, the third input optional (a bias).
  static func select(
    _ x: [Working], _ y: [Working], _ z: [Working]?, float: ([Float], [Float], [Float]?) -> [Float],
    double: ([Double], [Double], [Double]?) -> [Double]
  ) -> [Working]

  /// `C[i][j] += Σ_p A(i, p)·B[p][j]` with `A(i, p) = a[i·aRowStride + p·aColumnStride]`, not
  /// clamped (see `ck_loss_gemm_f32`): the general product of the dense layers, `matmul` and the
  /// batch losses' gradients.
  static func gemmAccumulate(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Working>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Working>, ldb: Int, _ c: UnsafeMutablePointer<Working>, ldc: Int)

  /// `C[i][j] = Σ_p A(i, p)·B[p][j]`: ``gemmAccumulate(m:n:k:_:aRowStride:aColumnStride:_:ldb:_:ldc:)``
  /// with every chain started from zero; C's old values are never read (see `ck_matmul_f32`).
  static func gemmProduct(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Working>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Working>, ldb: Int, _ c: UnsafeMutablePointer<Working>, ldc: Int)

  /// Packs `rows` already normalized rows (row-major) into panels of width `width`, unchanged.
  static func packRows(
    _ x: UnsafePointer<Working>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Working>)

  // MARK: Row-wise ops

  /// ``cosineSimilarityWithPullback(_:_:axis:eps:)`` on this type: the default in
  /// `CosineSimilarity.swift` becomes concrete code in each conformance.
  static func cosineSimilarity(
    _ x1: Tensor<Self>, _ x2: Tensor<Self>, axis: Int, eps: Double
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> (Tensor<Self>, Tensor<Self>))

  /// ``l2NormalizeWithPullback(_:axis:eps:)`` on this type: the default in `L2Normalize.swift`
  /// becomes concrete code in each conformance.
  static func l2Normalize(
    _ x: Tensor<Self>, axis: Int, eps: Double
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> Tensor<Self>)

  /// ``CosineDot``'s value and pullback on this type: the default in `CosineDot.swift` becomes
  /// concrete code in each conformance.
  static func cosineDot(
    _ op: CosineDot, _ x1: Tensor<Self>, _ x2: Tensor<Self>
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> (Tensor<Self>, Tensor<Self>))

  /// The index of the first NaN or infinity (``firstNonFiniteIndex(_:)``); the default in
  /// `FiniteCheck.swift` becomes concrete code in each conformance.
  static func firstNonFiniteIndex(_ t: Tensor<Self>) -> Int?

  // MARK: Conversions between scalar types (ScalarConversion.swift)

  /// `x` rounded to `Self` (to nearest), a concrete loop in each conformance.
  static func rounding(_ x: [Float]) -> [Self]

  /// `x` rounded to `Self` (to nearest), a concrete loop in each conformance.
  static func rounding(_ x: [Double]) -> [Self]

  /// `x` rounded to `Self` (to nearest), a concrete loop in each conformance.
  static func rounding(_ x: [Float16]) -> [Self]

  /// `x` rounded to `U`: `U.rounding(x)` with `x` in this (concrete) type.
  static func converted<U: KernelScalar>(_ x: [Self], to _: U.Type) -> [U]

  // MARK: Conversions of the training kernels

  /// The values in `Working` precision (no copy when `Working` is `Self`); `T` is `Self`.
  static func working<T>(_ x: [T]) -> [Working]

  /// `Working` values rounded to `Self` (no copy when `Working` is `Self`); `T` is `Self`.
  static func fromWorking<T>(_ x: [Working]) -> [T]

  /// Rounds `count` values of the working type at `source` to `Self` at `dest`.
  static func storeWorking(_ source: UnsafeRawPointer, count: Int, into dest: UnsafeMutableRawPointer)

  /// The values as `Double` (no copy for `Double`); `T` is `Self`.
  static func doubles<T>(_ x: [T]) -> [Double]

  /// `Double` values rounded to `Self` (no copy for `Double`); `T` is `Self`.
  static func fromDoubles<T>(_ x: [Double]) -> [T]
}

extension TensorScalar {
  /// This type's kernels; nil for a conformance to ``TensorScalar`` outside the library, which
  /// runs the portable Swift loops where there are any.
  @inline(__always)
  package static var kernels: (any KernelScalar.Type)? { Self.self as? any KernelScalar.Type }

  /// The kernels the packed paths (GEMM, search, analyses) run on: this type's, or `Double`'s for
  /// a conformance outside the library, whose rows those paths convert to `Double` first (so its
  /// working type is `Double`).
  package static var packedKernels: any KernelScalar.Type { kernels ?? Double.self }

  /// Whether the packed paths work in `Double` (for `Double` and types outside the library).
  package static var worksInDouble: Bool { packedKernels.workingType == Double.self }
}

extension KernelScalar {
  package static var mayNeedRescaling: Bool { false }
  package static var saturatesGradients: Bool { false }

  /// The working element type, as a value generic code can open.
  package static var workingType: any KernelScalar.Type { Working.self }

  package static func columnSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, dot d: UnsafeMutablePointer<Double>,
    q1: UnsafeMutablePointer<Double>, q2: UnsafeMutablePointer<Double>
  ) {
    PortableKernels.columnSums(a.assumingMemoryBound(to: Self.self), b.assumingMemoryBound(to: Self.self), w, d, q1, q2)
  }

  package static func columnGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, ca: UnsafePointer<Double>,
    da: UnsafePointer<Double>, cb: UnsafePointer<Double>, db: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    PortableKernels.columnGrad(
      a.assumingMemoryBound(to: Self.self), b.assumingMemoryBound(to: Self.self), w, ca, da, cb, db,
      gradA.assumingMemoryBound(to: Self.self), gradB.assumingMemoryBound(to: Self.self))
  }

  package static func working<T>(_ x: [T]) -> [Working] {
    let x: [Self] = x.retyped()
    if Working.self == Self.self { return x.retyped() }
    return x.map { Working($0) }
  }

  package static func fromWorking<T>(_ x: [Working]) -> [T] {
    if Working.self == Self.self { return x.retyped() }
    return x.map { Self($0) }.retyped()
  }

  package static func storeWorking(_ source: UnsafeRawPointer, count: Int, into dest: UnsafeMutableRawPointer) {
    let s = source.assumingMemoryBound(to: Working.self)
    let d = dest.assumingMemoryBound(to: Self.self)
    for i in 0..<count { d[i] = Self(s[i]) }
  }

  package static func doubles<T>(_ x: [T]) -> [Double] {
    let x: [Self] = x.retyped()
    if Self.self == Double.self { return x.retyped() }
    return x.map { Double($0) }
  }

  package static func fromDoubles<T>(_ x: [Double]) -> [T] {
    if Self.self == Double.self { return x.retyped() }
    return x.map { Self($0) }.retyped()
  }
}

/// The portable Swift loops of the kernels, for any ``TensorScalar``: the defaults of
/// ``KernelScalar`` and the path of a scalar type outside the library.
package enum PortableKernels {
  package static func rowSums<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ rows: Int, _ n: Int, _ out: UnsafeMutablePointer<Double>
  ) {
    for r in 0..<rows {
      let s = StridedKernels.sums(a + r * n, 1, b + r * n, 1, n)
      (out[3 * r], out[3 * r + 1], out[3 * r + 2]) = s
    }
  }

  package static func rowGrad<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ rows: Int, _ n: Int, _ c: UnsafePointer<Double>,
    _ gradA: UnsafeMutablePointer<T>, _ gradB: UnsafeMutablePointer<T>
  ) {
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

  package static func rowScale<T: TensorScalar>(
    _ x: UnsafePointer<T>, _ rows: Int, _ n: Int, _ scale: UnsafePointer<Double>, _ out: UnsafeMutablePointer<T>
  ) {
    for r in 0..<rows {
      let s = scale[r]
      for i in 0..<n { out[r * n + i] = T(s * Double(x[r * n + i])) }
    }
  }

  package static func columnSums<T: TensorScalar>(
    _ pa: UnsafePointer<T>, _ pb: UnsafePointer<T>, _ w: Int, _ d: UnsafeMutablePointer<Double>,
    _ q1: UnsafeMutablePointer<Double>, _ q2: UnsafeMutablePointer<Double>
  ) {
    for i in 0..<w {
      let x = Double(pa[i])
      let y = Double(pb[i])
      d[i] = Relaxed.multiplyAdd(x, y, d[i])
      q1[i] = Relaxed.multiplyAdd(x, x, q1[i])
      q2[i] = Relaxed.multiplyAdd(y, y, q2[i])
    }
  }

  package static func columnGrad<T: TensorScalar>(
    _ pa: UnsafePointer<T>, _ pb: UnsafePointer<T>, _ w: Int, _ ca: UnsafePointer<Double>,
    _ da: UnsafePointer<Double>, _ cb: UnsafePointer<Double>, _ db: UnsafePointer<Double>,
    _ ga: UnsafeMutablePointer<T>, _ gb: UnsafeMutablePointer<T>
  ) {
    for i in 0..<w {
      let x = Double(pa[i])
      let y = Double(pb[i])
      ga[i] = T(ca[i] * y - da[i] * x)
      gb[i] = T(cb[i] * x - db[i] * y)
    }
  }

  package static func accumulateRows<T: TensorScalar>(
    _ x: UnsafePointer<T>, _ d: Int, _ rows: UnsafePointer<Int64>, _ count: Int, _ scale: UnsafePointer<Double>,
    _ sum: UnsafeMutablePointer<Double>
  ) {
    for i in 0..<count {
      let r = Int(rows[i])
      let f = scale[r]
      for j in 0..<d { sum[j] = sum[j].addingProduct(Double(x[r * d + j]), f) }
    }
  }
}
