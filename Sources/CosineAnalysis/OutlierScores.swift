import CosineCore
import CosineSearch

/// How ``knnOutlierScores(_:neighbors:method:eps:progress:)-(_,_,_,_,AnalysisProgressHandler?)`` turns a
/// row's neighbor distances into its score (PyOD `KNN(method=...)`).
public enum KNNOutlierMethod: String, Sendable, CaseIterable {
  /// The distance to the K-th nearest other row (PyOD's default).
  case largest
  /// The mean distance to the K nearest other rows.
  case mean
  /// The median distance to the K nearest other rows (the mean of the middle two for even K).
  case median
}

/// KNN outlier scores with cosine distance: PyOD's `KNN(metric="cosine")` detector.
///
/// The distance between two rows is `1 − cos`, with `cos` as ``CosineIndex/search(_:k:)-3rgor`` ranks it
/// (`a·b / (max(‖a‖, eps)·max(‖b‖, eps))`, clamped to [−1, 1]), and a row's neighbors are its K
/// nearest OTHER rows (the row itself excluded by index, so an exact duplicate is a neighbor at
/// distance about 0). The score is the distance to the K-th neighbor (`.largest`), or the mean
/// (`.mean`) or median (`.median`) of the K distances; higher is more anomalous.
///
/// ```swift
/// let scores = try knnOutlierScores(embeddings, neighbors: 5)   // [N]
/// ```
///
/// - Parameters:
///   - x: Rows [N, D] (a rank-1 tensor is one row), N ≥ 2, D ≥ 1.
///   - neighbors: K, from 1 to N − 1 (default 5).
///   - method: `.largest` (default), `.mean` or `.median`.
///   - eps: Norm floor, as in ``cosineSimilarity(_:_:axis:eps:)``.
///   - progress: Called after each block of rows searched (stage `"neighbors"`); it may throw to stop.
/// - Returns: The scores [N], in [0, 2], computed in `Double` from the similarities and rounded to `T`.
/// - Throws: ``CosineError/invalidShape(_:)`` for an empty or non-matrix `x`;
///   ``CosineError/invalidArgument(_:)`` for K ≤ 0 or K ≥ N, or an invalid eps; whatever
///   `progress` throws.
///
/// **Edge cases:** a zero row is at distance 1 from every row; rows holding NaN get NaN
/// distances, which rank after every number (the NaN distances count last).
/// - Complexity: N²·D/2 multiply-adds on all cores (each pair scored once; N²·D for `Double`);
///   memory O(N·(D + K)) (the heaps once per thread).
public func knnOutlierScores<T: TensorScalar>(
  _ x: Tensor<T>, neighbors: Int = 5, method: KNNOutlierMethod = .largest, eps: Double = 1e-8,
  progress: AnalysisProgressHandler? = nil
) throws -> Tensor<T> {
  let (m, n, d) = try AnalysisArguments.matrix(x, "KNN outlier scores")
  guard neighbors >= 1, neighbors <= n - 1 else {
    throw CosineError.invalidArgument(
      "the number of neighbors must be between 1 and N - 1 = \(n - 1) for \(n) rows, got \(neighbors)")
  }
  let k = neighbors
  let (_, scores) = try withNeighborEngine(m, rows: n, dim: d, eps: eps, asCorpus: true) { engine in
    try engine.otherNeighbors(k: k) { done, total in
      try progress?(AnalysisProgress(stage: "neighbors", completed: done, total: total))
    }
  }
  var out = [T](repeating: 0, count: n)
  var dist = [Double](repeating: 0, count: k)
  for q in 0..<n {
    // Best first by similarity: distances ascending, NaN last.
    for j in 0..<k { dist[j] = 1 - scores[q * k + j] }
    let v: Double
    switch method {
    case .largest: v = dist[k - 1]
    case .mean: v = dist.reduce(0, +) / Double(k)
    case .median: v = k % 2 == 1 ? dist[k / 2] : (dist[k / 2 - 1] + dist[k / 2]) / 2
    }
    out[q] = T(v)
  }
  return Tensor(uncheckedShape: [n], scalars: out)
}

/// The async form of ``knnOutlierScores(_:neighbors:method:eps:progress:)-(_,_,_,_,AnalysisProgressHandler?)``:
/// runs off the cooperative thread pool; cancelling the task stops it at its next progress report
/// with `CancellationError`.
public func knnOutlierScores<T: TensorScalar>(
  _ x: Tensor<T>, neighbors: Int = 5, method: KNNOutlierMethod = .largest, eps: Double = 1e-8,
  progress: (@Sendable (AnalysisProgress) -> Void)? = nil
) async throws -> Tensor<T> {
  try await AnalysisAsync.run(progress: progress) { report in
    try knnOutlierScores(x, neighbors: neighbors, method: method, eps: eps, progress: report)
  }
}
