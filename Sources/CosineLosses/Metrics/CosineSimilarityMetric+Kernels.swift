import CosineCore

/// The per-sample cosines of ``CosineSimilarityMetric``, in `Double`, through the scalar type's
/// ``KernelScalar`` witness (concrete code of each type, whatever the caller).
package enum MetricCosines {
  /// The cosine of every sample (row-major over the per-sample shape) and that shape.
  package static func evaluate<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, axis: Int, eps: Double
  ) throws -> (cosines: [Double], shape: [Int]) {
    guard let kernels = T.lossKernels else { return try portable(yTrue, yPred, axis: axis, eps: eps) }
    return try evaluate(kernels, yTrue, yPred, axis: axis, eps: eps)
  }

  /// ``evaluate(_:_:axis:eps:)`` on `K`, which is `T`.
  private static func evaluate<K: LossKernelScalar, T: TensorScalar>(
    _: K.Type, _ yTrue: Tensor<T>, _ yPred: Tensor<T>, axis: Int, eps: Double
  ) throws -> (cosines: [Double], shape: [Int]) {
    try K.sampleCosines(yTrue.retyped(K.self), yPred.retyped(K.self), axis: axis, eps: eps)
  }

  /// The generic loops (the witness's body, and the path of a type outside the library).
  package static func portable<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, axis: Int, eps: Double
  ) throws -> (cosines: [Double], shape: [Int]) {
    let cos = try CosineSimilarityOp(yTrue, yPred, axis: axis, eps: eps)
    return ((0..<cos.value.count).map { cos.rows.cosine(ofRow: $0, floor: cos.floor).cos }, cos.value.shape)
  }
}

extension LossKernelScalar {
  package static func sampleCosines(
    _ yTrue: Tensor<Self>, _ yPred: Tensor<Self>, axis: Int, eps: Double
  ) throws -> (cosines: [Double], shape: [Int]) {
    try MetricCosines.portable(yTrue, yPred, axis: axis, eps: eps)
  }
}
