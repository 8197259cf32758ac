#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore

  extension CosineLoss {
    @derivative(of: forward, wrt: (yTrue, yPred))
    @usableFromInline
    package func _vjpForward<T: TensorScalar>(
      _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?, file: StaticString,
      line: UInt
    ) -> (value: Tensor<T>, pullback: (Tensor<T>) -> (Tensor<T>, Tensor<T>)) {
      let (v, pb) = orTrap(file: file, line: line) {
        try valueWithPullback(yTrue, yPred, target: target, sampleWeight: sampleWeight)
      }
      return (v, { g in orTrap(file: file, line: line) { try pb(g.expanded(to: v.shape)) } })
    }
  }

#endif
