/// Element-wise conversion between scalar types (rounded to nearest), through the source and
/// target types' ``KernelScalar`` witnesses: concrete loops for every pair of the library's types
/// whatever the caller, the generic loop for a type outside the library.
enum ScalarConversion {
  /// `x` converted element-wise to `T`.
  static func convert<S: TensorScalar, T: TensorScalar>(_ x: [S], to _: T.Type) -> [T] {
    guard let source = S.kernels, let target = T.kernels else { return x.map { T($0) } }
    return convert(x, source, target)
  }

  /// ``convert(_:to:)`` with `KS` being `S` and `KT` being `T`.
  private static func convert<S, T, KS: KernelScalar, KT: KernelScalar>(
    _ x: [S], _: KS.Type, _: KT.Type
  ) -> [T] {
    precondition(S.self == KS.self && T.self == KT.self)
    return unsafeBitCast(KS.converted(unsafeBitCast(x, to: [KS].self), to: KT.self), to: [T].self)
  }
}

extension KernelScalar {
  static func rounding(_ x: [Float]) -> [Self] { x.map { Self($0) } }
  static func rounding(_ x: [Double]) -> [Self] { x.map { Self($0) } }
  static func rounding(_ x: [Float16]) -> [Self] { x.map { Self($0) } }
}
