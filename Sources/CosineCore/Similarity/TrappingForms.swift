/// Non-throwing forms of the cosine ops and losses, for Swift's automatic differentiation.
///
/// The Swift 6 compilers cannot yet reliably differentiate functions that throw, so each
/// differentiable op has a form that traps (with the error's one-line message) where the
/// throwing form would throw, and where `_Differentiation` exists that form has the op's fused,
/// hand-written pullback registered as its derivative:
///
/// | throwing form | differentiable form |
/// |---|---|
/// | ``cosineSimilarity(_:_:axis:eps:)`` | `x1.cosineSimilarity(to: x2, axis:eps:)` |
/// | ``l2Normalize(_:axis:eps:)`` | `x.l2Normalized(axis:eps:)` |
/// | ``CosineDot`` `(...)(x1, x2)` | `CosineDot(...).forward(x1, x2)` (in CosineDot.swift) |
/// | `CosineLoss(...)(yTrue, yPred, target:sampleWeight:)` | `CosineLoss(...).forward(...)` |
/// | `layer(x)` (any ``Layer``) | `layer.forward(x)` |
///
/// ```swift
/// let loss = CosineLoss(.embedding(margin: 0.2))
/// let g = gradient(at: model) { m in
///   loss.forward(m.left.forward(a), m.right.forward(b), target: y).scalarized()
/// }
/// ```
extension Tensor {
  /// ``cosineSimilarity(_:_:axis:eps:)`` of `self` and `other`; traps where it would throw,
  /// naming the caller's `file` and `line`.
  public func cosineSimilarity(
    to other: Tensor, axis: Int = -1, eps: Double = 1e-8, file: StaticString = #fileID, line: UInt = #line
  ) -> Tensor {
    orTrap(file: file, line: line) { try CosineCore.cosineSimilarity(self, other, axis: axis, eps: eps) }
  }

  /// ``l2Normalize(_:axis:eps:)`` of `self`; traps where it would throw, naming the caller's
  /// `file` and `line`.
  public func l2Normalized(axis: Int = -1, eps: Double = 1e-12, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    orTrap(file: file, line: line) { try l2Normalize(self, axis: axis, eps: eps) }
  }
}
