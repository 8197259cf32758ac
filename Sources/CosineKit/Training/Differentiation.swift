#if canImport(_Differentiation)
  import _Differentiation

  // Swift differentiable programming for CosineKit: the tensor is `Differentiable`, and the
  // non-throwing forms of every op, loss and layer (see TrappingForms.swift and `Layer.forward`)
  // register their hand-written, fused pullbacks as derivatives, so `gradient(at:of:)` over a
  // model built from them runs these kernels. The layers' conformances sit at the end of their
  // files; the ops' registrations are here.
  //
  // Autodiff pullbacks cannot throw. Shapes are checked when the value is computed, so the only
  // upstream gradients a pullback sees have the value's shape, or are a rank-0 zero (which is
  // expanded); anything else is a programming error and traps with the error's message.

  extension Tensor: Differentiable {
    /// A tensor's tangent is a tensor of its shape (or the broadcasting ``zero``).
    public typealias TangentVector = Tensor

    /// Adds `offset` (broadcast) to the elements.
    public mutating func move(by offset: Tensor) {
      self = self + offset
    }
  }

  /// The tangent vector of every CosineKit layer: one gradient per parameter, in the order of
  /// ``Layer/parameters``. An optimizer applies it with
  /// `optimizer.update(&layer, along: tangent.tensors)`.
  ///
  /// ``zero`` is the empty list, which adds to any list as the identity.
  public struct ParameterVector<Scalar: TensorScalar>: Differentiable, AdditiveArithmetic, Sendable {
    /// The gradients, in parameter order.
    public var tensors: [Tensor<Scalar>]

    /// Wraps per-parameter gradients.
    public init(_ tensors: [Tensor<Scalar>]) { self.tensors = tensors }

    public typealias TangentVector = ParameterVector

    public static var zero: ParameterVector { ParameterVector([]) }

    /// Element-wise sum. Traps if both are non-empty with different counts.
    public static func + (lhs: ParameterVector, rhs: ParameterVector) -> ParameterVector {
      if lhs.tensors.isEmpty { return rhs }
      if rhs.tensors.isEmpty { return lhs }
      if lhs.tensors.count != rhs.tensors.count {
        fatalError("parameter lists of \(lhs.tensors.count) and \(rhs.tensors.count) tensors")
      }
      return ParameterVector(zip(lhs.tensors, rhs.tensors).map { $0 + $1 })
    }

    /// Element-wise difference. Traps if both are non-empty with different counts.
    public static func - (lhs: ParameterVector, rhs: ParameterVector) -> ParameterVector {
      if rhs.tensors.isEmpty { return lhs }
      if lhs.tensors.isEmpty { return ParameterVector(rhs.tensors.map { .zero - $0 }) }
      if lhs.tensors.count != rhs.tensors.count {
        fatalError("parameter lists of \(lhs.tensors.count) and \(rhs.tensors.count) tensors")
      }
      return ParameterVector(zip(lhs.tensors, rhs.tensors).map { $0 - $1 })
    }

    public mutating func move(by offset: ParameterVector) {
      self = self + offset
    }
  }

  extension Array {
    /// Adds a parameter tangent to a parameter list (no-op for the zero tangent).
    mutating func move<S>(by offset: ParameterVector<S>) where Element == Tensor<S> {
      guard !offset.tensors.isEmpty else { return }
      if offset.tensors.count != count { fatalError("\(count) parameters, \(offset.tensors.count) gradients") }
      for i in indices { self[i].move(by: offset.tensors[i]) }
    }
  }

  // MARK: Ops

  extension Tensor {
    @derivative(of: cosineSimilarity(to:axis:eps:), wrt: (self, other))
    @usableFromInline
    func _vjpCosineSimilarity(
      to other: Tensor, axis: Int, eps: Double
    ) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
      let (v, pb) = orTrap { try cosineSimilarityWithPullback(self, other, axis: axis, eps: eps) }
      return (v, { g in orTrap { try pb(g.expanded(to: v.shape)) } })
    }

    @derivative(of: l2Normalized, wrt: self)
    @usableFromInline
    func _vjpL2Normalized(axis: Int, eps: Double) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let (v, pb) = orTrap { try l2NormalizeWithPullback(self, axis: axis, eps: eps) }
      return (v, { g in orTrap { try pb(g.expanded(to: v.shape)) } })
    }
  }

  extension CosineLoss {
    @derivative(of: forward, wrt: (yTrue, yPred))
    @usableFromInline
    func _vjpForward<T: TensorScalar>(
      _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?
    ) -> (value: Tensor<T>, pullback: (Tensor<T>) -> (Tensor<T>, Tensor<T>)) {
      let (v, pb) = orTrap { try valueWithPullback(yTrue, yPred, target: target, sampleWeight: sampleWeight) }
      return (v, { g in orTrap { try pb(g.expanded(to: v.shape)) } })
    }
  }

#endif
