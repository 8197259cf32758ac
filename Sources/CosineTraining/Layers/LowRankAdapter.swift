#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore
  import CosineLosses
#endif

/// A linear adapter of low rank on frozen embeddings: `y = x·(I + U·Vᵀ) + b`.
///
/// The weight is the identity plus a rank-`r` correction (as LoRA writes it): `U` and `V` are
/// `[width, rank]`. `V` (``v``) starts at zero, so an untrained adapter returns its input unchanged
/// (the base model's quality is where training starts), while `U` (``u``) starts Glorot-uniform so the
/// gradient of `V` is not zero. The full-rank adapter is ``Dense/identity(width:useBias:)``.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let adapter = LowRankAdapter<Float>(width: 384, rank: 16, generator: &rng)
/// let y = try adapter(x)          // x: [n, 384] → y: [n, 384]; y == x before training
/// let dense = adapter.dense()     // the same map as one Dense layer (for model files)
/// ```
///
/// Parameters, in order: `u` [width, rank], `v` [width, rank], then `bias` [width] if present.
///
/// **Edge cases:** rank 0 is the identity (plus bias); an empty batch gives an empty output and
/// zero gradients; NaN and infinities propagate.
///
/// - Complexity: forward O(n·width·rank), backward about three times that; O(width·rank)
///   parameters instead of width².
public struct LowRankAdapter<Scalar: TensorScalar>: Layer, Equatable {
  /// The left factor, `[width, rank]`.
  public var u: Tensor<Scalar>
  /// The right factor, `[width, rank]`.
  public var v: Tensor<Scalar>
  /// The bias, `[width]`, or `nil`.
  public var bias: Tensor<Scalar>?

  /// The length of an input (and output) row.
  public var width: Int { u.shape[0] }
  /// The rank of the correction `U·Vᵀ`.
  public var rank: Int { u.shape[1] }

  /// Creates an adapter from its factors.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` unless `u` and `v` are matrices of
  ///   one shape `[width, rank]` and `bias` (if any) is `[width]`.
  public init(u: Tensor<Scalar>, v: Tensor<Scalar>, bias: Tensor<Scalar>? = nil) throws {
    guard u.rank == 2, u.shape == v.shape else {
      throw CosineError.shapeMismatch(
        operation: "low-rank adapter factors (need U and V of [width, rank])", u.shape, v.shape)
    }
    if let bias, bias.shape != [u.shape[0]] {
      throw CosineError.shapeMismatch(operation: "low-rank adapter bias (needs [width])", bias.shape, u.shape)
    }
    self.u = u
    self.v = v
    self.bias = bias
  }

  /// Creates an identity adapter: `U` Glorot-uniform from `generator` (limit `√(6 / (width + rank))`),
  /// `V` and the bias zero.
  ///
  /// - Precondition: `width >= 0`, `rank >= 0`.
  public init<G: RandomNumberGenerator>(width: Int, rank: Int, useBias: Bool = true, generator: inout G) {
    precondition(width >= 0 && rank >= 0, "adapter width and rank must be >= 0")
    let limit = width + rank > 0 ? (6 / Double(width + rank)).squareRoot() : 0
    let w: [Double] = (0..<(width * rank)).map { _ in (2 * (Double(generator.next() >> 11) * 0x1p-53) - 1) * limit }
    u = Tensor(uncheckedShape: [width, rank], scalars: ScalarDispatch.toScalars(w))
    v = Tensor(uncheckedShape: [width, rank], scalars: [Scalar](repeating: 0, count: width * rank))
    bias = useBias ? Tensor(uncheckedShape: [width], scalars: [Scalar](repeating: 0, count: width)) : nil
  }

  public var parameters: [Tensor<Scalar>] {
    get { [u, v] + (bias.map { [$0] } ?? []) }
    set {
      checkReplacement(newValue, parameters, names: parameterNames, layer: "LowRankAdapter")
      u = newValue[0]
      v = newValue[1]
      if bias != nil { bias = newValue[2] }
    }
  }

  public var parameterNames: [String] { bias == nil ? ["u", "v"] : ["u", "v", "bias"] }

  /// The same map as one ``Dense`` layer: weight `I + U·Vᵀ` (computed in `Double`, rounded
  /// once), the same bias, linear activation.
  ///
  /// - Complexity: O(width²·rank).
  public func dense() -> Dense<Scalar> {
    let d = width
    let r = rank
    let us = ScalarDispatch.toDoubles(u.scalars)
    let vs = ScalarDispatch.toDoubles(v.scalars)
    var w = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
      for j in 0..<d {
        var s = i == j ? 1.0 : 0.0
        for t in 0..<r { s += us[i * r + t] * vs[j * r + t] }
        w[i * d + j] = s
      }
    }
    return orTrap {
      try Dense(weight: Tensor(uncheckedShape: [d, d], scalars: ScalarDispatch.toScalars(w)), bias: bias)
    }
  }

  public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try valueWithPullback(input).value
  }

  public func valueWithPullback(
    _ input: Tensor<Scalar>
  ) throws -> (value: Tensor<Scalar>, pullback: @Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>) {
    guard input.rank >= 1, input.shape[input.rank - 1] == width else {
      throw CosineError.shapeMismatch(
        operation: "low-rank adapter (input [..., \(width)], factors [width, rank])", input.shape, u.shape)
    }
    let n = input.shape.dropLast().reduce(1, *)
    let (d, r) = (width, rank)
    let h = MatrixKernels.affine(input.scalars, rows: n, inner: d, u.scalars, outer: r, bias: nil)  // x·U
    var y = MatrixKernels.timesTransposed(h, rows: n, outer: r, v.scalars, inner: d)  // (x·U)·Vᵀ
    for i in 0..<(n * d) { y[i] += input.scalars[i] }
    if let b = bias?.scalars {
      for row in 0..<n { for j in 0..<d { y[row * d + j] += b[j] } }
    }
    let (us, vs, hasBias) = (u.scalars, v.scalars, bias != nil)
    return (
      Tensor(uncheckedShape: input.shape, scalars: y),
      { g in
        try checkUpstream(g, input.shape, "low-rank adapter")
        let gv = MatrixKernels.affine(g.scalars, rows: n, inner: d, vs, outer: r, bias: nil)  // g·V
        var dx = MatrixKernels.timesTransposed(gv, rows: n, outer: r, us, inner: d)  // (g·V)·Uᵀ
        for i in 0..<(n * d) { dx[i] += g.scalars[i] }
        let du = MatrixKernels.transposedTimes(input.scalars, rows: n, inner: d, gv, outer: r)  // xᵀ·(g·V)
        let dv = MatrixKernels.transposedTimes(g.scalars, rows: n, inner: d, h, outer: r)  // gᵀ·(x·U)
        var grads = [Tensor(uncheckedShape: [d, r], scalars: du), Tensor(uncheckedShape: [d, r], scalars: dv)]
        if hasBias {
          grads.append(Tensor(uncheckedShape: [d], scalars: MatrixKernels.columnSums(g.scalars, rows: n, columns: d)))
        }
        return LayerGradient(input: Tensor(uncheckedShape: input.shape, scalars: dx), parameters: grads)
      }
    )
  }
}

extension Dense {
  /// A full-rank adapter: a linear ``Dense`` layer `width → width` whose weight is the identity
  /// and bias zero, so that it returns its input unchanged until trained.
  ///
  /// - Precondition: `width >= 0`.
  /// - Complexity: O(width²) memory.
  ///
  /// **Edge cases:** width 0 gives an empty layer that maps `[n, 0]` to `[n, 0]`.
  public static func identity(width: Int, useBias: Bool = true) -> Dense {
    precondition(width >= 0, "adapter width must be >= 0")
    var w = [Scalar](repeating: 0, count: width * width)
    for i in 0..<width { w[i * width + i] = 1 }
    return orTrap {
      try Dense(
        weight: Tensor(uncheckedShape: [width, width], scalars: w),
        bias: useBias ? Tensor(uncheckedShape: [width], scalars: [Scalar](repeating: 0, count: width)) : nil)
    }
  }
}

#if canImport(_Differentiation)
  extension LowRankAdapter: Differentiable {
    /// Gradients of the parameters, in the order of ``parameters``.
    public typealias TangentVector = ParameterVector<Scalar>

    public mutating func move(by offset: ParameterVector<Scalar>) {
      parameters.move(by: offset)
    }
  }
#endif
