/// Cosine similarity along an axis, with PyTorch's semantics and no float artefacts.
///
/// ```
/// cos(x1, x2) = Σ x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps))
/// ```
/// The inputs are broadcast first (NumPy rules); `axis` indexes the broadcast shape and is
/// dropped from the result, as in `torch.nn.functional.cosine_similarity`.
///
/// ```swift
/// let a = try Tensor<Float>(rows: [[1, 0], [1, 1]])
/// let b = try Tensor<Float>(rows: [[1, 0], [-1, -1]])
/// try cosineSimilarity(a, b)  // [1, -1]
/// ```
///
/// - Parameters:
///   - x1: First input.
///   - x2: Second input, broadcastable with `x1`.
///   - axis: The axis to reduce; negative values count from the end. Default −1.
///   - eps: Floor of each norm, separately (PyTorch ≥ 2.1). Default 1e-8. Must be ≥ 0.
/// - Returns: The broadcast shape without `axis`, in the inputs' scalar type.
/// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes,
///   ``CosineError/axisOutOfRange(axis:rank:)``, ``CosineError/invalidArgument(_:)`` for eps < 0.
///
/// **Edge cases:**
/// - A zero vector gives 0 (its norm is floored at `eps`); with `eps = 0` it gives NaN.
/// - The result is always within [−1, 1] (clamped after an exact evaluation).
/// - Any finite input, including rows of 1e20 in `Float` or 1e300 in `Double`, gives the
///   formula's exact value rounded once: sums are taken in `Double`, and `Double` rows that would
///   overflow or underflow are rescaled by a power of two.
/// - NaN propagates; infinities follow IEEE arithmetic (∞/∞ is NaN).
/// - Rank-0 inputs are treated as vectors of length 1.
///
/// - Complexity: one pass over both inputs, O(count), on all cores.
/// - SeeAlso: <doc:NumericalConventions>, ``cosineSimilarityWithPullback(_:_:axis:eps:)``
public func cosineSimilarity<T: TensorScalar>(
  _ x1: Tensor<T>, _ x2: Tensor<T>, axis: Int = -1, eps: Double = 1e-8
) throws -> Tensor<T> {
  try cosineSimilarityWithPullback(x1, x2, axis: axis, eps: eps).value
}

/// Cosine similarity and a pullback that maps an upstream gradient (the shape of the result)
/// to the gradients with respect to `x1` and `x2` (in their own shapes).
///
/// The pullback is the exact gradient of the clamped formula: where `‖x1‖ > eps`,
/// `∂cos/∂x1 = x2/(‖x1‖·max(‖x2‖, eps)) − cos·x1/‖x1‖²`; where the floor is active the second
/// term vanishes, so at `x1 = 0` the gradient is `x2/(eps·max(‖x2‖, eps))`: large, but finite,
/// never NaN. Broadcast dimensions are summed. It reuses the forward pass's three per-row sums.
///
/// - Throws: as ``cosineSimilarity(_:_:axis:eps:)``; the pullback throws
///   ``CosineError/shapeMismatch(operation:_:_:)`` if the upstream gradient has the wrong shape.
public func cosineSimilarityWithPullback<T: TensorScalar>(
  _ x1: Tensor<T>, _ x2: Tensor<T>, axis: Int = -1, eps: Double = 1e-8
) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
  guard let kernels = T.kernels else { return try CosineSimilarityOp.valueWithPullback(x1, x2, axis: axis, eps: eps) }
  return try CosineSimilarityOp<T>.evaluate(kernels, x1, x2, axis: axis, eps: eps)
}

/// Validates an eps argument.
package func checkEps(_ eps: Double, name: String = "eps") throws {
  guard eps >= 0, eps.isFinite else {
    throw CosineError.invalidArgument("\(name) must be a finite number >= 0, got \(eps)")
  }
}

/// The forward state of a cosine similarity: the row sums, kept for the backward pass.
package struct CosineSimilarityOp<T: TensorScalar>: Sendable {
  package let rows: RowPairs<T>
  package let floor: NormFloor
  package let value: Tensor<T>

  package init(_ x1: Tensor<T>, _ x2: Tensor<T>, axis: Int, eps: Double) throws {
    try checkEps(eps)
    rows = try RowPairs(x1, x2, axis: axis, operation: "cosine similarity")
    floor = .clamp(eps)
    let n = rows.layout.rows
    let r = rows
    let f = floor
    value = Tensor(
      uncheckedShape: rows.layout.outputShape, scalars: (0..<n).map { T(r.cosine(ofRow: $0, floor: f).cos) })
  }

  package func pullback(_ upstream: Tensor<T>) throws -> (Tensor<T>, Tensor<T>) {
    guard upstream.shape == value.shape else {
      throw CosineError.shapeMismatch(operation: "cosine similarity gradient", upstream.shape, value.shape)
    }
    return rows.backward(coefficients: rows.cosineCoefficients(floor: floor) { Double(upstream.scalars[$0]) })
  }
}

extension CosineSimilarityOp {
  /// The value and a pullback over this op's forward state.
  package static func valueWithPullback(
    _ x1: Tensor<T>, _ x2: Tensor<T>, axis: Int, eps: Double
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    let op = try CosineSimilarityOp(x1, x2, axis: axis, eps: eps)
    return (op.value, { upstream in try op.pullback(upstream) })
  }

  /// ``valueWithPullback(_:_:axis:eps:)`` through the scalar type's ``KernelScalar`` witness,
  /// which is concrete code: the forward and backward loops run specialized whatever the caller.
  package static func evaluate<K: KernelScalar>(
    _: K.Type, _ x1: Tensor<T>, _ x2: Tensor<T>, axis: Int, eps: Double
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    K.retyped(try K.cosineSimilarity(x1.retyped(K.self), x2.retyped(K.self), axis: axis, eps: eps))
  }
}

extension KernelScalar {
  package static func cosineSimilarity(
    _ x1: Tensor<Self>, _ x2: Tensor<Self>, axis: Int, eps: Double
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> (Tensor<Self>, Tensor<Self>)) {
    try CosineSimilarityOp<Self>.valueWithPullback(x1, x2, axis: axis, eps: eps)
  }
}
