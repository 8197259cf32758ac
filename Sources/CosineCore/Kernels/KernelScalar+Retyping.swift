/// Crossing from a generic scalar type `T` to the ``KernelScalar`` witness that runs for it.
///
/// An entry point generic over `T` finds its concrete code through `T.kernels` (or a layer's
/// `lossKernels`, `searchKernels`, `analysisKernels`), which returns `T` itself as a kernel type
/// `K`. The compiler cannot know that `T` and `K` are the same type, so inputs go in as `[K]` or
/// `Tensor<K>` and results come back as `[T]` or `Tensor<T>` through these helpers. Every one of
/// them ends in ``Swift/Array/retyped(_:)``, which checks that the two types are the same: the
/// package's only unchecked cast, and it changes only the static type.
extension Array {
  /// This array typed as `[U]`; `U` must be `Element` (checked, trapping otherwise).
  @inline(__always)
  package func retyped<U>(_: U.Type = U.self) -> [U] {
    precondition(Element.self == U.self, "a [\(Element.self)] passed as [\(U.self)]")
    return unsafeBitCast(self, to: [U].self)
  }
}

extension Tensor {
  /// This tensor typed as `Tensor<U>`; `U` must be `Scalar`.
  @inline(__always)
  package func retyped<U: TensorScalar>(_: U.Type) -> Tensor<U> {
    Tensor<U>(uncheckedShape: shape, scalars: scalars.retyped(U.self))
  }
}

extension KernelScalar {
  /// A witness's value and one-input pullback on `Self`, typed for `T`, which is `Self`.
  package static func retyped<T: TensorScalar>(
    _ r: (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> Tensor<Self>)
  ) -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> Tensor<T>) {
    (r.value.retyped(T.self), { g in try r.pullback(g.retyped(Self.self)).retyped(T.self) })
  }

  /// A witness's value and two-input pullback on `Self`, typed for `T`, which is `Self`.
  package static func retyped<T: TensorScalar>(
    _ r: (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> (Tensor<Self>, Tensor<Self>))
  ) -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    (
      r.value.retyped(T.self),
      { g in
        let (a, b) = try r.pullback(g.retyped(Self.self))
        return (a.retyped(T.self), b.retyped(T.self))
      }
    )
  }
}
