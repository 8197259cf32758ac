import CosineCore
import CosineLosses

/// Updates parameters from their gradients.
///
/// An optimizer keeps per-parameter state (momentum buffers, moment estimates) keyed by the
/// position of each parameter in the list it is given, so it must always be given the same
/// parameters in the same order; ``reset()`` forgets the state. State is kept in `Double`, and
/// each update is computed in `Double` and rounded once to the parameter's type.
///
/// ```swift
/// var adam = Adam<Float>(learningRate: 1e-3)
/// let (loss, pullback) = try model.valueWithPullback(x)
/// try adam.update(&model, along: try pullback(upstream).parameters)
/// ```
public protocol Optimizer<Scalar>: Sendable {
  /// The element type of the parameters.
  associatedtype Scalar: TensorScalar

  /// The step size.
  var learningRate: Double { get set }

  /// Applies one step to `parameters` given `gradients` of the same count and shapes.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` if a gradient's shape differs from
  ///   its parameter's, ``CosineError/invalidArgument(_:)`` if the counts differ, the
  ///   parameters are not those the state was built for, or a hyperparameter is out of range.
  mutating func update(_ parameters: inout [Tensor<Scalar>], along gradients: [Tensor<Scalar>]) throws

  /// Forgets all state, as a freshly created optimizer.
  mutating func reset()
}

extension Optimizer {
  /// Applies one step to the parameters of `layer`.
  public mutating func update<L: Layer>(_ layer: inout L, along gradients: [Tensor<Scalar>]) throws
  where L.Scalar == Scalar {
    var p = layer.parameters
    try update(&p, along: gradients)
    layer.parameters = p
  }
}

/// Checks gradients against parameters and optimizer state built for `stateShapes` (if any).
package func checkStep<T: TensorScalar>(
  _ parameters: [Tensor<T>], _ gradients: [Tensor<T>], stateShapes: [[Int]]?, optimizer: String
) throws {
  guard parameters.count == gradients.count else {
    throw CosineError.invalidArgument(
      "\(optimizer): \(parameters.count) parameters but \(gradients.count) gradients")
  }
  for (p, g) in zip(parameters, gradients) where p.shape != g.shape {
    throw CosineError.shapeMismatch(operation: "\(optimizer) (parameter and gradient)", p.shape, g.shape)
  }
  if let stateShapes, stateShapes != parameters.map(\.shape) {
    throw CosineError.invalidArgument(
      "\(optimizer): the parameters differ from those of the previous steps; call reset() to start over")
  }
}

/// Checks that a hyperparameter is finite and at least `minimum`.
package func checkHyperparameter(_ value: Double, _ name: String, minimum: Double = 0, optimizer: String) throws {
  guard value.isFinite, value >= minimum else {
    throw CosineError.invalidArgument("\(optimizer): \(name) must be a finite number >= \(minimum), got \(value)")
  }
}
