import CosineCore

/// The non-throwing form of ``CosineLoss``, for Swift's automatic differentiation (see
/// `TrappingForms.swift` in the core module for the convention).
extension CosineLoss {
  /// The loss value; traps where ``callAsFunction(_:_:target:sampleWeight:)`` would throw.
  public func forward<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>? = nil, sampleWeight: Tensor<T>? = nil
  ) -> Tensor<T> {
    orTrap { try self(yTrue, yPred, target: target, sampleWeight: sampleWeight) }
  }
}
