import CosineCore
import CosineLosses
import RealModule

/// An element-wise activation function, applied by ``Dense`` after its affine map or on its own
/// by ``ActivationLayer``.
///
/// | case | f(x) | f′ used by the backward pass |
/// |---|---|---|
/// | ``linear`` | x (no activation; Keras `None`/`"linear"`) | 1 |
/// | ``relu`` | max(0, x) | 1 where x > 0, else 0 (as PyTorch, also at 0) |
/// | ``tanh`` | tanh(x) | 1 − tanh(x)² |
///
/// **Edge cases:** NaN propagates through every case (ReLU of NaN is NaN; its gradient is 0, as
/// PyTorch's).
public enum Activation: String, Sendable, Codable, CaseIterable {
  /// No activation: the identity.
  case linear
  /// The rectified linear unit, `max(0, x)`.
  case relu
  /// The hyperbolic tangent.
  case tanh

  /// Parses a command-line or file name: `linear` (or `none`, `identity`), `relu`, `tanh`.
  public init?(name: String) {
    switch name.lowercased() {
    case "linear", "none", "identity": self = .linear
    case "relu": self = .relu
    case "tanh": self = .tanh
    default: return nil
    }
  }

  /// `f` applied to every element.
  package func forward<T: TensorScalar>(_ x: [T]) -> [T] {
    switch self {
    case .linear: return x
    case .relu:
      return ScalarDispatch.map(x, float: { $0.map(Self.relu) }, double: { $0.map(Self.relu) })
    case .tanh:
      return ScalarDispatch.map(x, float: { $0.map { Float.tanh($0) } }, double: { $0.map { Double.tanh($0) } })
    }
  }

  /// The upstream gradient times `f′`, computed from the activation's output `y`.
  package func backward<T: TensorScalar>(output y: [T], upstream g: [T]) -> [T] {
    switch self {
    case .linear: return g
    case .relu:
      return ScalarDispatch.map(
        y, g, float: { zip($0, $1).map { $0 > 0 ? $1 : 0 } }, double: { zip($0, $1).map { $0 > 0 ? $1 : 0 } })
    case .tanh:
      return ScalarDispatch.map(
        y, g, float: { zip($0, $1).map { (1 - $0 * $0) * $1 } }, double: { zip($0, $1).map { (1 - $0 * $0) * $1 } })
    }
  }

  @inline(__always)
  private static func relu<F: BinaryFloatingPoint>(_ x: F) -> F { x > 0 || x.isNaN ? x : 0 }
}

/// An ``Activation`` as a layer of its own, with no parameters.
///
/// **Edge cases:** any shape is accepted, including rank 0 and empty tensors.
public struct ActivationLayer<Scalar: TensorScalar>: Layer, Equatable {
  /// The function applied to every element.
  public var function: Activation

  /// Creates the layer.
  public init(_ function: Activation) { self.function = function }

  /// Always empty.
  public var parameters: [Tensor<Scalar>] {
    get { [] }
    set { checkReplacement(newValue, [], names: [], layer: "ActivationLayer") }
  }

  public var parameterNames: [String] { [] }

  public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
    Tensor(uncheckedShape: input.shape, scalars: function.forward(input.scalars))
  }

  public func valueWithPullback(
    _ input: Tensor<Scalar>
  ) throws -> (value: Tensor<Scalar>, pullback: @Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>) {
    let y = try callAsFunction(input)
    let f = function
    return (
      y,
      { g in
        try checkUpstream(g, y.shape, "activation")
        return LayerGradient(
          input: Tensor(uncheckedShape: y.shape, scalars: f.backward(output: y.scalars, upstream: g.scalars)),
          parameters: [])
      }
    )
  }
}

#if canImport(_Differentiation)
  import _Differentiation

  extension ActivationLayer: Differentiable {
    /// Always empty: the layer has no parameters.
    public typealias TangentVector = ParameterVector<Scalar>

    public mutating func move(by offset: ParameterVector<Scalar>) {}
  }
#endif
