#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore
  import CosineLosses
#endif

/// L2 normalization as a layer: `x / max(‖x‖, eps)` along ``axis``, by ``l2Normalize(_:axis:eps:)``
/// (PyTorch `F.normalize`). No parameters.
///
/// Put it at the end of a tower to make embeddings unit vectors, so that their dot product is
/// their cosine similarity.
///
/// **Edge cases:** as ``l2Normalize(_:axis:eps:)``: a zero vector stays zero with a finite
/// gradient; NaN propagates.
public struct L2NormalizeLayer<Scalar: TensorScalar>: Layer, Equatable {
  /// The axis along which vectors are normalized. Default −1.
  public var axis: Int
  /// The floor of the norm. Default 1e-12 (PyTorch's).
  public var eps: Double

  /// Creates the layer.
  public init(axis: Int = -1, eps: Double = 1e-12) {
    self.axis = axis
    self.eps = eps
  }

  /// Always empty.
  public var parameters: [Tensor<Scalar>] {
    get { [] }
    set { checkReplacement(newValue, [], names: [], layer: "L2NormalizeLayer") }
  }

  public var parameterNames: [String] { [] }

  public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try l2Normalize(input, axis: axis, eps: eps)
  }

  public func valueWithPullback(
    _ input: Tensor<Scalar>
  ) throws -> (value: Tensor<Scalar>, pullback: @Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>) {
    let (y, pb) = try l2NormalizeWithPullback(input, axis: axis, eps: eps)
    return (y, { g in LayerGradient(input: try pb(g), parameters: []) })
  }
}

#if canImport(_Differentiation)
  extension L2NormalizeLayer: Differentiable {
    /// Always empty: the layer has no parameters.
    public typealias TangentVector = ParameterVector<Scalar>

    public mutating func move(by offset: ParameterVector<Scalar>) {}
  }
#endif
