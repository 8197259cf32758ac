import CosineCore

/// A streaming cosine similarity metric: the weighted running mean of `+cos` over every sample
/// seen, as `keras.metrics.CosineSimilarity`.
///
/// ```swift
/// var metric = CosineSimilarityMetric()
/// try metric.update(yTrue, yPred)
/// metric.result  // mean cosine so far
/// ```
///
/// The cosine floors each norm at 1e-7 (Keras's `epsilon`), so a zero vector contributes 0.
///
/// **Edge cases:** before any sample (or with total weight 0) ``result`` is 0; NaN inputs make
/// the result NaN until ``reset()``.
public struct CosineSimilarityMetric: Sendable {
  /// The axis along which the cosine is taken.
  public var axis: Int
  /// Σ w·cos over all samples seen.
  public private(set) var total: Double = 0
  /// Σ w over all samples seen.
  public private(set) var weight: Double = 0

  /// Creates an empty metric.
  public init(axis: Int = -1) { self.axis = axis }

  /// Adds a batch. `sampleWeight` must broadcast to the per-sample shape.
  public mutating func update<T: TensorScalar>(_ yTrue: Tensor<T>, _ yPred: Tensor<T>, sampleWeight: Tensor<T>? = nil)
    throws
  {
    let (cosines, shape) = try MetricCosines.evaluate(yTrue, yPred, axis: axis, eps: 1e-7)
    let w = try sampleWeight.map { try LossOp<T>.expand($0, to: shape, what: "sample weight") }
    for (r, c) in cosines.enumerated() {
      let wr = w?[r] ?? 1
      total += wr * c
      weight += wr
    }
  }

  /// The weighted mean cosine of every sample seen (0 if none).
  public var result: Double { weight == 0 ? 0 : total / weight }

  /// Forgets every sample.
  public mutating func reset() {
    total = 0
    weight = 0
  }
}
