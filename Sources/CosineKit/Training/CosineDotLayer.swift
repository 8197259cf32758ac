#if canImport(_Differentiation)
  import _Differentiation
#endif

/// The Keras `Dot(axes, normalize:)` merge layer of two inputs, with its backward.
///
/// With `normalize: true` (the default) both inputs are L2-normalized along ``axis`` (norms
/// floored at 1e-7, Keras's epsilon) and the output is their cosine similarity; with `false` it
/// is the plain dot product. As in Keras, the reduced axis is kept with size 1, so two `[n, d]`
/// inputs give `[n, 1]`; set ``keepsAxis`` to `false` to drop it (PyTorch's convention). The
/// arithmetic is ``CosineDot``'s.
///
/// ```swift
/// let merge = CosineDotLayer<Float>()
/// let cos = try merge(leftEmbeddings, rightEmbeddings)   // [n, 1], within [-1, 1]
/// ```
///
/// **Edge cases:** a zero vector gives 0 with a finite gradient; inputs broadcast (NumPy rules);
/// shapes that do not broadcast throw ``CosineError/shapeMismatch(operation:_:_:)``.
public struct CosineDotLayer<Scalar: TensorScalar>: Sendable, Equatable {
  /// The axis of the dot product. Default −1.
  public var axis: Int
  /// Whether the inputs are L2-normalized first (cosine similarity). Default `true`.
  public var normalize: Bool
  /// Whether the reduced axis stays in the output with size 1 (Keras). Default `true`.
  public var keepsAxis: Bool

  /// Creates the layer.
  public init(axis: Int = -1, normalize: Bool = true, keepsAxis: Bool = true) {
    self.axis = axis
    self.normalize = normalize
    self.keepsAxis = keepsAxis
  }

  /// The merged output.
  public func callAsFunction(_ x1: Tensor<Scalar>, _ x2: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try valueWithPullback(x1, x2).value
  }

  /// The merged output and its pullback to both inputs.
  public func valueWithPullback(
    _ x1: Tensor<Scalar>, _ x2: Tensor<Scalar>
  ) throws -> (value: Tensor<Scalar>, pullback: @Sendable (Tensor<Scalar>) throws -> (Tensor<Scalar>, Tensor<Scalar>)) {
    let (v, pb) = try CosineDot(axis: axis, normalize: normalize).valueWithPullback(x1, x2)
    guard keepsAxis else { return (v, pb) }
    let rank = max(x1.rank, x2.rank)
    let ax = try Shape.normalizedAxis(axis, rank: max(rank, 1))
    var shape = v.shape
    shape.insert(1, at: min(ax, shape.count))
    let kept = shape
    let dropped = v.shape
    return (
      Tensor(uncheckedShape: kept, scalars: v.scalars),
      { g in
        try checkUpstream(g, kept, "cosine dot layer")
        return try pb(Tensor(uncheckedShape: dropped, scalars: g.scalars))
      }
    )
  }
}

extension CosineDotLayer {
  /// The merged output, trapping (with the error's message) where ``callAsFunction(_:_:)``
  /// would throw: the form Swift's automatic differentiation differentiates.
  public func forward(_ x1: Tensor<Scalar>, _ x2: Tensor<Scalar>) -> Tensor<Scalar> {
    orTrap { try self(x1, x2) }
  }
}

#if canImport(_Differentiation)
  extension CosineDotLayer: Differentiable {
    /// Always empty: the layer has no parameters.
    public typealias TangentVector = ParameterVector<Scalar>

    public mutating func move(by offset: ParameterVector<Scalar>) {}

    @derivative(of: forward, wrt: (x1, x2))
    @usableFromInline
    func _vjpForward(
      _ x1: Tensor<Scalar>, _ x2: Tensor<Scalar>
    ) -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> (Tensor<Scalar>, Tensor<Scalar>)) {
      let (v, pb) = orTrap { try valueWithPullback(x1, x2) }
      return (v, { g in orTrap { try pb(g.expanded(to: v.shape)) } })
    }
  }
#endif
