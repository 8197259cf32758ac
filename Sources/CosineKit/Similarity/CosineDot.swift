/// The Keras `Dot(axes:, normalize:)` merge of two inputs, with its backward.
///
/// With `normalize: true` each input is L2-normalized along `axis` (norm floored at 1e-7,
/// Keras's `epsilon`) before the dot product, so the output is the cosine similarity of the two
/// samples; with `normalize: false` it is the plain dot product `Σ x1·x2`. Inputs broadcast;
/// the axis is dropped (Keras keeps it as size 1: reshape if you need that).
///
/// **Edge cases:** as ``cosineSimilarity(_:_:axis:eps:)``: a zero vector gives 0 with a finite
/// gradient; the normalized output is within [−1, 1].
public struct CosineDot: Sendable, Equatable {
  /// The axis of the dot product. Default −1.
  public var axis: Int
  /// Whether inputs are L2-normalized first (cosine similarity).
  public var normalize: Bool

  /// Creates the merge.
  public init(axis: Int = -1, normalize: Bool = true) {
    self.axis = axis
    self.normalize = normalize
  }

  /// The merged output.
  @_specialize(exported:true,where T == Float)
  @_specialize(exported:true,where T == Double)
  @_specialize(exported:true,where T == Float16)
  public func callAsFunction<T: TensorScalar>(_ x1: Tensor<T>, _ x2: Tensor<T>) throws -> Tensor<T> {
    try valueWithPullback(x1, x2).value
  }

  /// The output and its pullback to both inputs.
  @_specialize(exported:true,where T == Float)
  @_specialize(exported:true,where T == Double)
  @_specialize(exported:true,where T == Float16)
  public func valueWithPullback<T: TensorScalar>(
    _ x1: Tensor<T>, _ x2: Tensor<T>
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
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
