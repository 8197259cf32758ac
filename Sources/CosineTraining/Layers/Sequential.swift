#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore
  import CosineLosses
#endif

/// Layers applied one after the other; a ``Layer`` itself.
///
/// Its parameters are those of its layers, concatenated in layer order; their names are
/// prefixed with the layer's index (`0.weight`, `0.bias`, `1.weight`, …), as PyTorch names the
/// parameters of `nn.Sequential`.
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// let tower = Sequential<Float>(
///   Dense(inputSize: 32, outputSize: 64, activation: .tanh, generator: &rng),
///   Dense(inputSize: 64, outputSize: 16, generator: &rng),
///   L2NormalizeLayer())
/// ```
///
/// **Edge cases:** an empty container is the identity.
public struct Sequential<Scalar: TensorScalar>: Layer {
  /// The layers, first applied first.
  public var layers: [any Layer<Scalar>]

  /// Creates a container of `layers`.
  public init(_ layers: [any Layer<Scalar>]) { self.layers = layers }

  /// Creates a container of `layers`.
  public init(_ layers: any Layer<Scalar>...) { self.layers = layers }

  /// A multilayer perceptron: ``Dense`` layers of the given sizes.
  ///
  /// `sizes = [32, 64, 16]` makes 32 → 64 → 16: every layer but the last uses `activation`,
  /// the last uses `finalActivation`; `normalizeOutput` appends an ``L2NormalizeLayer``.
  ///
  /// - Precondition: at least two sizes, none negative.
  public static func multilayerPerceptron<G: RandomNumberGenerator>(
    sizes: [Int], activation: Activation = .relu, finalActivation: Activation = .linear,
    useBias: Bool = true, normalizeOutput: Bool = false, generator: inout G
  ) -> Sequential {
    if sizes.count < 2 { fatalError("a perceptron needs an input size and at least one layer size") }
    var layers: [any Layer<Scalar>] = []
    for i in 1..<sizes.count {
      layers.append(
        Dense<Scalar>(
          inputSize: sizes[i - 1], outputSize: sizes[i],
          activation: i == sizes.count - 1 ? finalActivation : activation, useBias: useBias, generator: &generator))
    }
    if normalizeOutput { layers.append(L2NormalizeLayer<Scalar>()) }
    return Sequential(layers)
  }

  public var parameters: [Tensor<Scalar>] {
    get { layers.flatMap { $0.parameters } }
    set {
      checkReplacement(newValue, parameters, names: parameterNames, layer: "Sequential")
      var offset = 0
      for i in layers.indices {
        let c = layers[i].parameters.count
        if c > 0 { layers[i].parameters = Array(newValue[offset..<(offset + c)]) }
        offset += c
      }
    }
  }

  public var parameterNames: [String] {
    layers.enumerated().flatMap { i, layer in layer.parameterNames.map { "\(i).\($0)" } }
  }

  public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
    var x = input
    for layer in layers { x = try layer(x) }
    return x
  }

  public func valueWithPullback(
    _ input: Tensor<Scalar>
  ) throws -> (value: Tensor<Scalar>, pullback: @Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>) {
    var x = input
    var pullbacks: [@Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>] = []
    pullbacks.reserveCapacity(layers.count)
    for layer in layers {
      let (y, pb) = try layer.valueWithPullback(x)
      pullbacks.append(pb)
      x = y
    }
    let shape = x.shape
    let chain = pullbacks
    return (
      x,
      { g in
        try checkUpstream(g, shape, "sequential")
        var upstream = g
        var grads: [[Tensor<Scalar>]] = []
        grads.reserveCapacity(chain.count)
        for pb in chain.reversed() {
          let r = try pb(upstream)
          grads.append(r.parameters)
          upstream = r.input
        }
        return LayerGradient(input: upstream, parameters: grads.reversed().flatMap { $0 })
      }
    )
  }
}

#if canImport(_Differentiation)
  extension Sequential: Differentiable {
    /// Gradients of the parameters, in the order of ``parameters``.
    public typealias TangentVector = ParameterVector<Scalar>

    public mutating func move(by offset: ParameterVector<Scalar>) {
      parameters.move(by: offset)
    }
  }
#endif
