/// Runs element-wise training kernels at full speed whatever the calling context.
///
/// Layers and optimizers are generic over ``TensorScalar`` and are often reached through
/// existentials (`any Layer`), where generic code is not specialized. Their per-element work
/// therefore goes through these entry points, which test the scalar type once and call a
/// kernel specialized for `Float` or `Double`; `Float16` storage is computed in `Float`.
enum ScalarDispatch {
  /// The array viewed as `[B]`; only valid when `A` is `B`.
  @inline(__always)
  static func same<A, B>(_ a: [A], as _: B.Type) -> [B] {
    precondition(A.self == B.self)
    return unsafeBitCast(a, to: [B].self)
  }

  /// Applies `float` or `double` to the values of `x` (and `y`) in their own type, or in
  /// `Float` for `Float16`, and returns the result in `T`.
  @inline(__always)
  static func map<T: TensorScalar>(
    _ x: [T],
    float: ([Float]) -> [Float],
    double: ([Double]) -> [Double]
  ) -> [T] {
    if T.self == Float.self { return same(float(same(x, as: Float.self)), as: T.self) }
    if T.self == Double.self { return same(double(same(x, as: Double.self)), as: T.self) }
    return toScalars(float(toFloats(x)))
  }

  /// Two-input form of ``map(_:float:double:)``.
  @inline(__always)
  static func map<T: TensorScalar>(
    _ x: [T], _ y: [T],
    float: ([Float], [Float]) -> [Float],
    double: ([Double], [Double]) -> [Double]
  ) -> [T] {
    if T.self == Float.self {
      return same(float(same(x, as: Float.self), same(y, as: Float.self)), as: T.self)
    }
    if T.self == Double.self {
      return same(double(same(x, as: Double.self), same(y, as: Double.self)), as: T.self)
    }
    return toScalars(float(toFloats(x), toFloats(y)))
  }

  /// The values as `Float` (no copy for `Float`).
  static func toFloats<T: TensorScalar>(_ x: [T]) -> [Float] {
    if T.self == Float.self { return same(x, as: Float.self) }
    if T.self == Double.self { return same(x, as: Double.self).map { Float($0) } }
    if T.self == Float16.self { return same(x, as: Float16.self).map { Float($0) } }
    return x.map { Float($0) }
  }

  /// The values as `Double` (no copy for `Double`).
  static func toDoubles<T: TensorScalar>(_ x: [T]) -> [Double] {
    if T.self == Double.self { return same(x, as: Double.self) }
    if T.self == Float.self { return same(x, as: Float.self).map { Double($0) } }
    if T.self == Float16.self { return same(x, as: Float16.self).map { Double($0) } }
    return x.map { Double($0) }
  }

  /// `Float` values rounded to `T` (no copy for `Float`).
  static func toScalars<T: TensorScalar>(_ x: [Float]) -> [T] {
    if T.self == Float.self { return same(x, as: T.self) }
    if T.self == Double.self { return same(x.map { Double($0) }, as: T.self) }
    if T.self == Float16.self { return same(x.map { Float16($0) }, as: T.self) }
    return x.map { T($0) }
  }

  /// `Double` values rounded to `T` (no copy for `Double`).
  static func toScalars<T: TensorScalar>(_ x: [Double]) -> [T] {
    if T.self == Double.self { return same(x, as: T.self) }
    if T.self == Float.self { return same(x.map { Float($0) }, as: T.self) }
    if T.self == Float16.self { return same(x.map { Float16($0) }, as: T.self) }
    return x.map { T($0) }
  }
}
