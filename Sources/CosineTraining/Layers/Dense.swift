#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore
  import CosineLosses
#endif

/// A fully connected layer: `y = f(x·W + b)`, as Keras `Dense` (the weight is [in, out]).
///
/// The affine map applies along the last axis, so an input of shape `[..., in]` gives
/// `[..., out]`; the usual input is a batch `[n, in]`.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let layer = Dense<Float>(inputSize: 32, outputSize: 64, activation: .relu, generator: &rng)
/// let y = try layer(x)   // x: [n, 32] → y: [n, 64]
/// ```
///
/// Parameters, in order: `weight` [in, out], then `bias` [out] when the layer has one.
///
/// **Edge cases:** an empty batch gives an empty output and zero weight gradients; NaN and
/// infinities propagate (they are not skipped, so `0 · ∞` gives NaN as in IEEE arithmetic).
///
/// - Complexity: forward O(n·in·out); backward twice that. Products run on all cores once the
///   batch is large enough; see ``CosineKitThreads``.
public struct Dense<Scalar: TensorScalar>: Layer, Equatable {
  /// The kernel, shape [inputSize, outputSize].
  ///
  /// Read-only outside CosineKit so that it always fits ``bias``: replace both through
  /// ``parameters`` (same shapes) or create a layer with ``init(weight:bias:activation:)``.
  public package(set) var weight: Tensor<Scalar>
  /// The bias, shape [outputSize], or `nil` for a layer without one (read-only outside CosineKit,
  /// as ``weight``).
  public package(set) var bias: Tensor<Scalar>?
  /// Applied element-wise after the affine map.
  public var activation: Activation

  /// The length of an input row.
  public var inputSize: Int { weight.shape[0] }
  /// The length of an output row.
  public var outputSize: Int { weight.shape[1] }

  /// Creates a layer from its parameters.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` unless `weight` is a matrix and `bias` (if any)
  ///   is a vector of its column count.
  public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil, activation: Activation = .linear) throws {
    guard weight.rank == 2 else {
      throw CosineError.invalidShape("a dense weight must be a matrix [in, out], got \(Shape.describe(weight.shape))")
    }
    if let bias, bias.shape != [weight.shape[1]] {
      throw CosineError.shapeMismatch(
        operation: "dense bias (needs [out] for a weight [in, out])", bias.shape, weight.shape)
    }
    self.weight = weight
    self.bias = bias
    self.activation = activation
  }

  /// Creates a layer with Glorot-uniform weights (Keras's default) and a zero bias.
  ///
  /// Each weight is drawn uniformly from `[−l, l)` with `l = √(6 / (inputSize + outputSize))`,
  /// row-major, from `generator`; the same generator state gives the same layer.
  ///
  /// - Precondition: `inputSize >= 0`, `outputSize >= 0`, and the weights fit in memory
  ///   (``MemoryBudget/availableBytes``); otherwise the process stops with a message naming the
  ///   sizes and the bytes needed.
  public init<G: RandomNumberGenerator>(
    inputSize: Int, outputSize: Int, activation: Activation = .linear, useBias: Bool = true,
    generator: inout G
  ) {
    if inputSize < 0 || outputSize < 0 { fatalError("layer sizes must be >= 0, got \(inputSize) and \(outputSize)") }
    if inputSize.multipliedReportingOverflow(by: outputSize).overflow {
      fatalError("a dense layer \(inputSize) → \(outputSize) has more weights than fit in a 64-bit size")
    }
    // Weights are drawn as Doubles first: the larger of the two arrays.
    let bytes = MemoryBudget.bytes(count: inputSize * outputSize, elementSize: MemoryLayout<Double>.stride) ?? Int.max
    if bytes > MemoryBudget.availableBytes {
      fatalError(
        "a dense layer \(inputSize) → \(outputSize) needs \(MemoryBudget.describe(bytes: bytes)) for its weights, "
          + "more than the \(MemoryBudget.describe(bytes: MemoryBudget.availableBytes)) of memory available")
    }
    let fan = inputSize + outputSize
    let limit = fan > 0 ? (6 / Double(fan)).squareRoot() : 0
    let w: [Double] = (0..<(inputSize * outputSize)).map { _ in
      let u = Double(generator.next() >> 11) * 0x1p-53
      return (2 * u - 1) * limit
    }
    weight = Tensor(uncheckedShape: [inputSize, outputSize], scalars: ScalarDispatch.toScalars(w))
    bias = useBias ? Tensor(uncheckedShape: [outputSize], scalars: [Scalar](repeating: 0, count: outputSize)) : nil
    self.activation = activation
  }

  public var parameters: [Tensor<Scalar>] {
    get { bias.map { [weight, $0] } ?? [weight] }
    set {
      checkReplacement(newValue, parameters, names: parameterNames, layer: "Dense")
      weight = newValue[0]
      if bias != nil { bias = newValue[1] }
    }
  }

  public var parameterNames: [String] { bias == nil ? ["weight"] : ["weight", "bias"] }

  /// The number of rows of `input` viewed as a matrix [rows, inputSize].
  private func rows(of input: Tensor<Scalar>) throws -> Int {
    guard input.rank >= 1, input.shape[input.rank - 1] == inputSize else {
      throw CosineError.shapeMismatch(
        operation: "dense layer (input [..., \(inputSize)], weight [in, out])", input.shape, weight.shape)
    }
    return input.shape.dropLast().reduce(1, *)
  }

  public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try valueWithPullback(input).value
  }

  public func valueWithPullback(
    _ input: Tensor<Scalar>
  ) throws -> (value: Tensor<Scalar>, pullback: @Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>) {
    let n = try rows(of: input)
    let k = inputSize
    let m = outputSize
    // The output (and its activation) before allocating: a layer 0 → 2^40 holds no weights.
    try MemoryBudget.check(
      count: MemoryBudget.elementCount([n, m, 2]), elementSize: MemoryLayout<Scalar>.stride,
      "the output [\(n), \(m)] of a dense layer \(k) → \(m) on input \(Shape.describe(input.shape))")
    let z = MatrixKernels.affine(input.scalars, rows: n, inner: k, weight.scalars, outer: m, bias: bias?.scalars)
    let outShape = Array(input.shape.dropLast()) + [m]
    let y = Tensor(uncheckedShape: outShape, scalars: activation.forward(z))
    let (w, f, hasBias) = (weight, activation, bias != nil)
    return (
      y,
      { g in
        try checkUpstream(g, outShape, "dense layer")
        let gz = f.backward(output: y.scalars, upstream: g.scalars)
        let dx = MatrixKernels.timesTransposed(gz, rows: n, outer: m, w.scalars, inner: k)
        let dw = MatrixKernels.transposedTimes(input.scalars, rows: n, inner: k, gz, outer: m)
        var grads = [Tensor(uncheckedShape: [k, m], scalars: dw)]
        if hasBias {
          grads.append(Tensor(uncheckedShape: [m], scalars: MatrixKernels.columnSums(gz, rows: n, columns: m)))
        }
        return LayerGradient(input: Tensor(uncheckedShape: input.shape, scalars: dx), parameters: grads)
      }
    )
  }
}

#if canImport(_Differentiation)
  extension Dense: Differentiable {
    /// Gradients of the parameters, in the order of ``parameters``.
    public typealias TangentVector = ParameterVector<Scalar>

    public mutating func move(by offset: ParameterVector<Scalar>) {
      parameters.move(by: offset)
    }
  }
#endif
