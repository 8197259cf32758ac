/// Runs element-wise training kernels at full speed whatever the calling context.
///
/// Layers and optimizers are generic over ``TensorScalar`` and are often reached through
/// existentials (`any Layer`), where generic code is not specialized. Their per-element work
/// therefore goes through these entry points, which convert through the scalar type's
/// ``KernelScalar`` conformance (concrete code) and run a kernel specialized for its working
/// type, `Float` or `Double`; `Float16` storage is computed in `Float`.
package enum ScalarDispatch {
  /// Applies `float` or `double` to the values of `x` (and `y`) in their working type
  /// (``KernelScalar/Working``, `Float` for a scalar type outside the library), and returns the
  /// result in `T`.
  @inline(__always)
  package static func map<T: TensorScalar>(
    _ x: [T],
    float: ([Float]) -> [Float],
    double: ([Double]) -> [Double]
  ) -> [T] {
    guard let k = T.kernels else { return float(x.map { Float($0) }).map { T($0) } }
    return map(k, x, float, double)
  }

  /// Two-input form of ``map(_:float:double:)``.
  @inline(__always)
  package static func map<T: TensorScalar>(
    _ x: [T], _ y: [T],
    float: ([Float], [Float]) -> [Float],
    double: ([Double], [Double]) -> [Double]
  ) -> [T] {
    guard let k = T.kernels else { return float(x.map { Float($0) }, y.map { Float($0) }).map { T($0) } }
    return map(k, x, y, float, double)
  }

  /// Three-input form of ``map(_:float:double:)``, the third input optional (a bias).
  @inline(__always)
  package static func map<T: TensorScalar>(
    _ x: [T], _ y: [T], _ z: [T]?,
    float: ([Float], [Float], [Float]?) -> [Float],
    double: ([Double], [Double], [Double]?) -> [Double]
  ) -> [T] {
    guard let k = T.kernels else {
      return float(x.map { Float($0) }, y.map { Float($0) }, z.map { $0.map { Float($0) } }).map { T($0) }
    }
    return map(k, x, y, z, float, double)
  }

  private static func map<K: KernelScalar, T>(
    _: K.Type, _ x: [T], _ y: [T], _ z: [T]?, _ float: ([Float], [Float], [Float]?) -> [Float],
    _ double: ([Double], [Double], [Double]?) -> [Double]
  ) -> [T] {
    K.fromWorking(
      K.Working.select(K.working(x), K.working(y), z.map { K.working($0) }, float: float, double: double))
  }

  private static func map<K: KernelScalar, T>(
    _: K.Type, _ x: [T], _ float: ([Float]) -> [Float], _ double: ([Double]) -> [Double]
  ) -> [T] {
    K.fromWorking(K.Working.select(K.working(x), float: float, double: double))
  }

  private static func map<K: KernelScalar, T>(
    _: K.Type, _ x: [T], _ y: [T], _ float: ([Float], [Float]) -> [Float],
    _ double: ([Double], [Double]) -> [Double]
  ) -> [T] {
    K.fromWorking(K.Working.select(K.working(x), K.working(y), float: float, double: double))
  }

  /// The values as `Double` (no copy for `Double`).
  package static func toDoubles<T: TensorScalar>(_ x: [T]) -> [Double] {
    guard let k = T.kernels else { return x.map { Double($0) } }
    return k.doubles(x)
  }

  /// `Double` values rounded to `T` (no copy for `Double`).
  package static func toScalars<T: TensorScalar>(_ x: [Double]) -> [T] {
    guard let k = T.kernels else { return x.map { T($0) } }
    return k.fromDoubles(x)
  }
}
