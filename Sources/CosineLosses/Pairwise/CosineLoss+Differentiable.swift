#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore

  extension CosineLoss {
    @derivative(of: forward, wrt: (yTrue, yPred))
    @usableFromInline
    package func _vjpForward<T: TensorScalar>(
      _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?
    ) -> (value: Tensor<T>, pullback: (Tensor<T>) -> (Tensor<T>, Tensor<T>)) {
      let (v, pb) = orTrap { try valueWithPullback(yTrue, yPred, target: target, sampleWeight: sampleWeight) }
      return (v, { g in orTrap { try pb(g.expanded(to: v.shape)) } })
    }
  }

#endif
