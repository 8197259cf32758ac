#if canImport(_Differentiation)
  import _Differentiation

  // Swift differentiable programming: the tensor is `Differentiable`, and the non-throwing forms
  // of every op, loss and layer (see TrappingForms.swift and `Layer.forward`) register their
  // hand-written, fused pullbacks as derivatives, so `gradient(at:of:)` over a model built from
  // them runs these kernels. Each op's registration sits beside the op (the similarity ops' here,
  // the losses' and layers' in their own modules).
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

  // MARK: Ops

  extension Tensor {
    @derivative(of: cosineSimilarity(to:axis:eps:file:line:), wrt: (self, other))
    @usableFromInline
    package func _vjpCosineSimilarity(
      to other: Tensor, axis: Int, eps: Double, file: StaticString, line: UInt
    ) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
      let (v, pb) = orTrap(file: file, line: line) {
        try cosineSimilarityWithPullback(self, other, axis: axis, eps: eps)
      }
      return (v, { g in orTrap(file: file, line: line) { try pb(g.expanded(to: v.shape)) } })
    }

    @derivative(of: l2Normalized, wrt: self)
    @usableFromInline
    package func _vjpL2Normalized(
      axis: Int, eps: Double, file: StaticString, line: UInt
    ) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let (v, pb) = orTrap(file: file, line: line) { try l2NormalizeWithPullback(self, axis: axis, eps: eps) }
      return (v, { g in orTrap(file: file, line: line) { try pb(g.expanded(to: v.shape)) } })
    }
  }

#endif
