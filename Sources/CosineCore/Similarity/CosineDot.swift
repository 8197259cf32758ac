#if canImport(_Differentiation)
  import _Differentiation
#endif

/// The Keras `Dot(axes:, normalize:)` merge of two inputs, with its backward: one op with its
/// throwing form (``callAsFunction(_:_:)``), its trapping form (``forward(_:_:file:line:)``, the one Swift's
/// automatic differentiation differentiates) and its derivative.
///
/// With `normalize: true` each input is L2-normalized along `axis` (norm floored at 1e-7,
/// Keras's `epsilon`) before the dot product, so the output is the cosine similarity of the two
/// samples; with `normalize: false` it is the plain dot product `Σ x1·x2`. Inputs broadcast
/// (NumPy rules). By default the axis is dropped, as in `torch.nn.functional.cosine_similarity`;
/// with `keepsAxis: true` it stays with size 1, as in Keras (two `[n, d]` inputs give `[n, 1]`).
///
/// ```swift
/// let merge = CosineDot(keepsAxis: true)                  // Keras Dot(axes=-1, normalize=True)
/// let cos = try merge(leftEmbeddings, rightEmbeddings)   // [n, 1], within [-1, 1]
/// ```
///
/// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` for shapes that do not broadcast,
///   ``CosineError/axisOutOfRange(axis:rank:)``.
///
/// **Edge cases:** as ``cosineSimilarity(_:_:axis:eps:)``: a zero vector gives 0 with a finite
/// gradient; the normalized output is within [−1, 1]. Rank-0 inputs are vectors of length 1.
///
/// - Complexity: one pass over both inputs, O(count).
public struct CosineDot: Sendable, Equatable {
  /// The axis of the dot product. Default −1.
  public var axis: Int
  /// Whether inputs are L2-normalized first (cosine similarity).
  public var normalize: Bool
  /// Whether the reduced axis stays in the output with size 1 (Keras). Default `false`
  /// (PyTorch's convention: the axis is dropped).
  public var keepsAxis: Bool

  /// Creates the merge.
  public init(axis: Int = -1, normalize: Bool = true, keepsAxis: Bool = false) {
    self.axis = axis
    self.normalize = normalize
    self.keepsAxis = keepsAxis
  }

  /// The merged output.
  public func callAsFunction<T: TensorScalar>(_ x1: Tensor<T>, _ x2: Tensor<T>) throws -> Tensor<T> {
    try valueWithPullback(x1, x2).value
  }

  /// The output and its pullback to both inputs.
  public func valueWithPullback<T: TensorScalar>(
    _ x1: Tensor<T>, _ x2: Tensor<T>
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    guard let kernels = T.kernels else { return try generic(x1, x2) }
    return try evaluate(kernels, x1, x2)
  }

  /// ``valueWithPullback(_:_:)`` through `K`'s witness (concrete code of each scalar type in the
  /// library, whatever module calls it); `K` is `T`.
  private func evaluate<K: KernelScalar, T: TensorScalar>(
    _: K.Type, _ x1: Tensor<T>, _ x2: Tensor<T>
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    K.retyped(try K.cosineDot(self, x1.retyped(K.self), x2.retyped(K.self)))
  }

  /// The op's body in generic Swift: the witness's default, and the path of a scalar type
  /// defined outside the library.
  package func generic<T: TensorScalar>(
    _ x1: Tensor<T>, _ x2: Tensor<T>
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    if keepsAxis { return try keepingAxis(x1, x2) }
    if normalize { return try cosineSimilarityWithPullback(x1, x2, axis: axis, eps: 1e-7) }
    let rows = try RowPairs(x1, x2, axis: axis, operation: "dot")
    let n = rows.layout.rows
    let shape = rows.layout.outputShape
    let value = Tensor<T>(
      uncheckedShape: shape,
      scalars: (0..<n).map { r in
        let (s1, s2) = rows.scale(ofRow: r)
        return T(rows.sums[3 * r] * s1 * s2)
      })
    return (
      value,
      { g in
        guard g.shape == shape else { throw CosineError.shapeMismatch(operation: "dot gradient", g.shape, shape) }
        var c = [Double](repeating: 0, count: 4 * n)
        for r in 0..<n {
          let (s1, s2) = rows.scale(ofRow: r)
          c[4 * r] = Double(g.scalars[r]) * s1 * s2
          c[4 * r + 2] = c[4 * r]
        }
        return rows.backward(coefficients: c)
      }
    )
  }
}

extension CosineDot {
  /// ``valueWithPullback(_:_:)`` with the reduced axis reinserted with size 1.
  package func keepingAxis<T: TensorScalar>(
    _ x1: Tensor<T>, _ x2: Tensor<T>
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    let (v, pb) = try CosineDot(axis: axis, normalize: normalize).valueWithPullback(x1, x2)
    let rank = max(x1.rank, x2.rank)
    let ax = try Shape.normalizedAxis(axis, rank: max(rank, 1))
    var shape = v.shape
    shape.insert(1, at: min(ax, shape.count))
    let kept = shape
    let dropped = v.shape
    return (
      Tensor(uncheckedShape: kept, scalars: v.scalars),
      { g in
        try checkUpstream(g, kept, "cosine dot")
        return try pb(Tensor(uncheckedShape: dropped, scalars: g.scalars))
      }
    )
  }

  /// The merged output, trapping (with the error's one-line message) where
  /// ``callAsFunction(_:_:)`` would throw. Where `_Differentiation` exists this form has the
  /// op's pullback registered as its derivative with respect to both inputs.
  public func forward<T: TensorScalar>(
    _ x1: Tensor<T>, _ x2: Tensor<T>, file: StaticString = #fileID, line: UInt = #line
  ) -> Tensor<T> {
    orTrap(file: file, line: line) { try self(x1, x2) }
  }
}

#if canImport(_Differentiation)
  extension CosineDot {
    @derivative(of: forward, wrt: (x1, x2))
    @usableFromInline
    package func _vjpForward<T: TensorScalar>(
      _ x1: Tensor<T>, _ x2: Tensor<T>, file: StaticString, line: UInt
    ) -> (value: Tensor<T>, pullback: (Tensor<T>) -> (Tensor<T>, Tensor<T>)) {
      let (v, pb) = orTrap(file: file, line: line) { try valueWithPullback(x1, x2) }
      return (v, { g in orTrap(file: file, line: line) { try pb(g.expanded(to: v.shape)) } })
    }
  }
#endif

extension KernelScalar {
  package static func cosineDot(
    _ op: CosineDot, _ x1: Tensor<Self>, _ x2: Tensor<Self>
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> (Tensor<Self>, Tensor<Self>)) {
    try op.generic(x1, x2)
  }
}
