/// Crossing from a generic scalar type `T` to the ``KernelScalar`` witness that runs for it.
///
/// An entry point generic over `T` finds its concrete code through `T.kernels`, which returns
/// `T` itself as a ``KernelScalar`` type `K`. The compiler cannot know that `T` and `K` are the
/// same type, so inputs go in as `Tensor<K>` and results come back as `Tensor<T>` through these
/// helpers. Each checks that the two types are the same; the cast changes only the static type.
extension Tensor {
  /// This tensor typed as `Tensor<U>`; `U` must be `Scalar`.
  @inline(__always)
  func retyped<U: TensorScalar>(_: U.Type) -> Tensor<U> {
    precondition(Scalar.self == U.self, "a Tensor<\(Scalar.self)> passed as Tensor<\(U.self)>")
    return unsafeBitCast(self, to: Tensor<U>.self)
  }
}

extension BatchLossGradients {
  /// These gradients typed as `BatchLossGradients<U>`; `U` must be `Scalar`.
  func retyped<U: TensorScalar>(_: U.Type) -> BatchLossGradients<U> {
    BatchLossGradients<U>(
      first: first.retyped(U.self), second: second.retyped(U.self), negatives: negatives?.retyped(U.self),
      scale: scale)
  }
}

extension KernelScalar {
  /// A witness's value and one-input pullback on `Self`, typed for `T`, which is `Self`.
  static func retyped<T: TensorScalar>(
    _ r: (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> Tensor<Self>)
  ) -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> Tensor<T>) {
    (r.value.retyped(T.self), { g in try r.pullback(g.retyped(Self.self)).retyped(T.self) })
  }

  /// A witness's value and two-input pullback on `Self`, typed for `T`, which is `Self`.
  static func retyped<T: TensorScalar>(
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

  /// A batch loss witness's value and pullback on `Self`, typed for `T`, which is `Self`.
  static func retyped<T: TensorScalar>(
    _ r: (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> BatchLossGradients<Self>)
  ) -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    (r.value.retyped(T.self), { g in try r.pullback(g.retyped(Self.self)).retyped(T.self) })
  }
}
