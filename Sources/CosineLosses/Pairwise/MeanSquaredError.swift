#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore
#endif

/// The mean squared error, Keras's `MeanSquaredError` (`"mse"`) and PyTorch's `nn.MSELoss`: the
/// regression loss of a model that ends in a cosine (a Keras `Dot(normalize=True)` followed by
/// `loss="mse"`, or ``CosineDot`` here).
///
/// Inputs broadcast against each other. For inputs of rank 2 or more, a sample is a row along
/// the last axis and its loss is `mean((yPred − yTrue)²)` over that axis (Keras); for inputs of
/// rank 0 or 1 every element is a sample with loss `(yPred − yTrue)²`. Per-sample losses are then
/// weighted by `sampleWeight` and reduced by ``reduction``: ``Reduction/mean`` (the default) is
/// Keras's `sum_over_batch_size` and equals `nn.MSELoss()` for unweighted inputs.
///
/// ```swift
/// let cos = CosineDot(normalize: true)
/// let labels: Tensor<Float> = [0.9, 0.1]
/// let (value, pullback) = try MeanSquaredError().valueWithPullback(labels, try cos(a, b))
/// ```
///
/// Differences and sums are computed in `Double` and rounded once to `Scalar`.
///
/// **Edge cases:** an empty batch gives 0 for `sum` and `mean` and an empty `none` result; a
/// zero-length last axis gives NaN per sample (the mean of nothing, as in Keras); NaN
/// propagates. Keras averages a rank-1 input to one sample value: `mean` agrees, `sum` and
/// `none` see one sample per element here (the shape Keras gives for `[n, 1]` predictions).
public struct MeanSquaredError: Sendable, Equatable {
  /// How per-sample losses are combined. Default ``Reduction/mean``.
  public var reduction: Reduction

  /// Creates the loss.
  public init(reduction: Reduction = .mean) {
    self.reduction = reduction
  }

  /// The loss value: per-sample losses (``Reduction/none``) or a rank-0 tensor.
  ///
  /// - Parameters:
  ///   - yTrue: The targets.
  ///   - yPred: The predictions, broadcastable with `yTrue`.
  ///   - sampleWeight: Optional per-sample weights, broadcastable to the per-sample shape.
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes when the inputs
  ///   or the weights do not broadcast.
  /// - Complexity: O(n).
  public func callAsFunction<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, sampleWeight: Tensor<T>? = nil
  ) throws -> Tensor<T> {
    try valueWithPullback(yTrue, yPred, sampleWeight: sampleWeight).value
  }

  /// The loss value and its gradients with respect to both inputs, in their own shapes (for
  /// ``Reduction/none``, the gradients of the sum of the per-sample losses).
  ///
  /// - Throws: as ``callAsFunction(_:_:sampleWeight:)``.
  public func valueWithGradient<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, sampleWeight: Tensor<T>? = nil
  ) throws -> (value: Tensor<T>, gradientTrue: Tensor<T>, gradientPred: Tensor<T>) {
    let (v, pb) = try valueWithPullback(yTrue, yPred, sampleWeight: sampleWeight)
    let (gt, gp) = try pb(Tensor.full(v.shape, 1))
    return (v, gt, gp)
  }

  /// The loss value and a pullback from an upstream gradient of the value's shape to the
  /// gradients with respect to both inputs.
  ///
  /// `∂/∂yPred = 2·(yPred − yTrue)·w·u / (D·N)` for upstream `u`, D the samples' length and N the
  /// sample count under ``Reduction/mean`` (1 otherwise); `∂/∂yTrue` is its negative, each summed
  /// over broadcast dimensions.
  ///
  /// - Throws: as ``callAsFunction(_:_:sampleWeight:)``; the pullback throws
  ///   ``CosineError/shapeMismatch(operation:_:_:)`` for an upstream gradient of another shape.
  public func valueWithPullback<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, sampleWeight: Tensor<T>? = nil
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    let shape = try Shape.broadcast(yTrue.shape, yPred.shape, operation: "mean squared error")
    let d = try yPred.converted(to: Double.self).subtracting(yTrue.converted(to: Double.self))
    let width = shape.count >= 2 ? shape[shape.count - 1] : 1
    let sampleShape = shape.count >= 2 ? Array(shape.dropLast()) : shape
    let samples = sampleShape.reduce(1, *)
    var w = [Double](repeating: 1, count: samples)
    if let sampleWeight {
      let b = try Shape.broadcast(sampleWeight.shape, sampleShape, operation: "mean squared error sample weights")
      guard b == sampleShape else {
        throw CosineError.shapeMismatch(
          operation: "mean squared error sample weights (per-sample shape)", sampleWeight.shape, sampleShape)
      }
      w = sampleWeight.converted(to: Double.self).broadcasted(to: sampleShape).scalars
    }
    var perSample = [Double](repeating: 0, count: samples)
    for s in 0..<samples {
      var acc = 0.0
      for j in 0..<width { acc += d.scalars[s * width + j] * d.scalars[s * width + j] }
      perSample[s] = w[s] * acc / Double(width)
    }
    let reduction = self.reduction
    let value: Tensor<T>
    switch reduction {
    case .none: value = Tensor(uncheckedShape: sampleShape, scalars: perSample.map { T($0) })
    case .sum: value = Tensor(scalar: T(perSample.reduce(0, +)))
    case .mean: value = Tensor(scalar: T(samples == 0 ? 0 : perSample.reduce(0, +) / Double(samples)))
    }
    let (trueShape, predShape, valueShape) = (yTrue.shape, yPred.shape, value.shape)
    let weights = w
    let pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>) = { upstream in
      let u = upstream.expanded(to: valueShape)
      try checkUpstream(u, valueShape, "mean squared error")
      let scale = reduction == .mean ? 1 / Double(Swift.max(1, samples)) : 1
      var g = [Double](repeating: 0, count: d.count)
      for s in 0..<samples {
        let c = 2 * weights[s] * scale * Double(reduction == .none ? u.scalars[s] : u.scalars[0]) / Double(width)
        for j in 0..<width { g[s * width + j] = c * d.scalars[s * width + j] }
      }
      let gp = Tensor<Double>(uncheckedShape: shape, scalars: g)
      return ((-gp).unbroadcast(to: trueShape).converted(), gp.unbroadcast(to: predShape).converted())
    }
    return (value, pullback)
  }

  /// The loss value; traps (with the error's message) where ``callAsFunction(_:_:sampleWeight:)``
  /// would throw. Where `_Differentiation` exists this form has the loss's pullback registered
  /// as its derivative with respect to both inputs.
  public func forward<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, sampleWeight: Tensor<T>? = nil, file: StaticString = #fileID,
    line: UInt = #line
  ) -> Tensor<T> {
    orTrap(file: file, line: line) { try self(yTrue, yPred, sampleWeight: sampleWeight) }
  }
}

#if canImport(_Differentiation)
  extension MeanSquaredError {
    @derivative(of: forward, wrt: (yTrue, yPred))
    @usableFromInline
    package func _vjpForward<T: TensorScalar>(
      _ yTrue: Tensor<T>, _ yPred: Tensor<T>, sampleWeight: Tensor<T>?, file: StaticString, line: UInt
    ) -> (value: Tensor<T>, pullback: (Tensor<T>) -> (Tensor<T>, Tensor<T>)) {
      let (v, pb) = orTrap(file: file, line: line) { try valueWithPullback(yTrue, yPred, sampleWeight: sampleWeight) }
      return (v, { g in orTrap(file: file, line: line) { try pb(g.expanded(to: v.shape)) } })
    }
  }
#endif
