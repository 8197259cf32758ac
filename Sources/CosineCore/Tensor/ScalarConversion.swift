/// Element-wise conversion between scalar types (rounded to nearest), through the source and
/// target types' ``KernelScalar`` witnesses: concrete loops for every pair of the library's types
/// whatever the caller, the generic loop for a type outside the library.
package enum ScalarConversion {
  /// `x` converted element-wise to `T`.
  package static func convert<S: TensorScalar, T: TensorScalar>(_ x: [S], to _: T.Type) -> [T] {
    guard let source = S.kernels, let target = T.kernels else { return x.map { T($0) } }
    return convert(x, source, target)
  }

  /// ``convert(_:to:)`` with `KS` being `S` and `KT` being `T`.
  private static func convert<S, T, KS: KernelScalar, KT: KernelScalar>(
    _ x: [S], _: KS.Type, _: KT.Type
  ) -> [T] {
    KS.converted(x.retyped(KS.self), to: KT.self).retyped()
  }
}

extension KernelScalar {
  package static func rounding(_ x: [Float]) -> [Self] { x.map { Self($0) } }
  package static func rounding(_ x: [Double]) -> [Self] { x.map { Self($0) } }
  package static func rounding(_ x: [Float16]) -> [Self] { x.map { Self($0) } }
}
