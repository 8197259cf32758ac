import CosineCore

/// The non-throwing form of ``CosineLoss``, for Swift's automatic differentiation (see
/// `TrappingForms.swift` in the core module for the convention).
extension CosineLoss {
  /// The loss value; traps where ``callAsFunction(_:_:target:sampleWeight:)`` would throw,
  /// naming the caller's `file` and `line`.
  public func forward<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>? = nil, sampleWeight: Tensor<T>? = nil,
    file: StaticString = #fileID, line: UInt = #line
  ) -> Tensor<T> {
    orTrap(file: file, line: line) { try self(yTrue, yPred, target: target, sampleWeight: sampleWeight) }
  }
}
