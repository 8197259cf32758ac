#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore
  import CosineLosses
#endif

/// A differentiable transformation of one tensor, with trainable parameters.
///
/// Every layer computes its output and, in ``valueWithPullback(_:)``, a pullback that maps the
/// gradient of a loss with respect to the output to the gradients with respect to the input
/// and to each parameter. Parameters are exposed as an ordered list, so an ``Optimizer`` can
/// update any layer without knowing its type:
///
/// ```swift
/// var layer = Dense<Float>(inputSize: 4, outputSize: 2, activation: .tanh, generator: &rng)
/// var adam = Adam<Float>()
/// let (y, pullback) = try layer.valueWithPullback(x)
/// let g = try pullback(upstream)           // g.input, g.parameters
/// try adam.update(&layer, along: g.parameters)
/// ```
///
/// Where the toolchain has `_Differentiation`, the layers of CosineKit also conform to
/// `Differentiable` (their tangent is a ``ParameterVector``), and ``forward(_:file:line:)``, the
/// non-throwing form of ``callAsFunction(_:)``, has this pullback registered as its derivative.
public protocol Layer<Scalar>: Sendable {
  /// The element type of inputs, outputs and parameters.
  associatedtype Scalar: TensorScalar

  /// The trainable parameters in a fixed order (empty for a layer without any).
  ///
  /// Setting them requires the same count and shapes; anything else is a programming error
  /// and traps with a message naming the parameter.
  var parameters: [Tensor<Scalar>] { get set }

  /// A name per parameter, in the order of ``parameters`` (for example `weight`, `bias`).
  var parameterNames: [String] { get }

  /// The output for `input`.
  ///
  /// - Throws: ``CosineError`` if the input's shape does not fit the layer.
  func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar>

  /// The output and a pullback from an upstream gradient (the output's shape) to the gradient
  /// with respect to the input (the input's shape) and to every parameter (in the order and
  /// shapes of ``parameters``).
  ///
  /// - Throws: as ``callAsFunction(_:)``; the pullback throws
  ///   ``CosineError/shapeMismatch(operation:_:_:)`` for an upstream gradient of the wrong shape.
  func valueWithPullback(
    _ input: Tensor<Scalar>
  ) throws -> (value: Tensor<Scalar>, pullback: @Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>)
}

/// The gradients a layer's pullback returns.
public struct LayerGradient<Scalar: TensorScalar>: Sendable, Equatable {
  /// The gradient with respect to the layer's input, in the input's shape.
  public var input: Tensor<Scalar>
  /// The gradient with respect to each parameter, in the order of ``Layer/parameters``.
  public var parameters: [Tensor<Scalar>]

  /// Creates a gradient.
  public init(input: Tensor<Scalar>, parameters: [Tensor<Scalar>]) {
    self.input = input
    self.parameters = parameters
  }
}

extension Layer {
  /// The number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

  /// The output for `input`, trapping (with the error's message) where ``callAsFunction(_:)``
  /// would throw.
  ///
  /// This is the form Swift's automatic differentiation differentiates: with
  /// `_Differentiation`, its registered derivative is the layer's ``valueWithPullback(_:)``, so
  /// `gradient(at:of:)` over a model built from CosineKit layers runs their fused kernels. (The
  /// Swift 6 compilers cannot yet reliably differentiate throwing functions.)
  public func forward(_ input: Tensor<Scalar>, file: StaticString = #fileID, line: UInt = #line) -> Tensor<Scalar> {
    orTrap(file: file, line: line) { try self(input) }
  }
}

#if canImport(_Differentiation)
  extension Layer where Self: Differentiable, TangentVector == ParameterVector<Scalar> {
    @derivative(of: forward)
    @usableFromInline
    package func _vjpForward(
      _ input: Tensor<Scalar>, file: StaticString, line: UInt
    ) -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> (ParameterVector<Scalar>, Tensor<Scalar>)) {
      let (y, pb) = orTrap(file: file, line: line) { try valueWithPullback(input) }
      return (
        y,
        { g in
          let r = orTrap(file: file, line: line) { try pb(g.expanded(to: y.shape)) }
          return (ParameterVector(r.parameters), r.input)
        }
      )
    }
  }
#endif

/// Checks a replacement parameter list against the current one; traps naming the mismatch.
package func checkReplacement<T>(_ new: [Tensor<T>], _ old: [Tensor<T>], names: [String], layer: String) {
  if new.count != old.count { fatalError("\(layer) has \(old.count) parameters, \(new.count) were given") }
  for (i, (n, o)) in zip(new, old).enumerated() where n.shape != o.shape {
    fatalError(
      "\(layer).\(names[i]) has shape \(Shape.describe(o.shape)), a tensor of shape \(Shape.describe(n.shape)) was given"
    )
  }
}
