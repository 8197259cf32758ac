import CosineCore
import CosineSearch

/// One mined pair of rows, `first < second`, and their cosine similarity.
public struct CosineScoredPair<Scalar: TensorScalar>: Sendable, Equatable {
  /// The lower row index.
  public var first: Int
  /// The higher row index.
  public var second: Int
  /// The cosine similarity of the two rows, in [−1, 1] (NaN for rows holding NaN).
  public var score: Scalar

  /// A pair; `first < second` is the convention of mined pairs, not checked.
  public init(first: Int, second: Int, score: Scalar) {
    self.first = first
    self.second = second
    self.score = score
  }

  /// Equal indices and scores (NaN equals NaN).
  public static func == (a: Self, b: Self) -> Bool {
    a.first == b.first && a.second == b.second && (a.score == b.score || (a.score.isNaN && b.score.isNaN))
  }
}

/// The most similar pairs of rows: sentence-transformers' `paraphrase_mining_embeddings`.
///
/// Every row's `topK` nearest OTHER rows (by cosine similarity, as ``CosineIndex/search(_:k:)-3rgor``
/// ranks them; the row itself is excluded by index, so duplicate rows do find each other) give
/// candidate pairs; their union, as unordered pairs `(i, j)` with `i < j`, is sorted by descending
/// score (equal scores: lower `i`, then lower `j`; NaN last) and cut to `maxPairs`. With a
/// `threshold`, only pairs scoring at least that are kept.
///
/// ```swift
/// let pairs = try paraphraseMining(embeddings, topK: 10)
/// for p in pairs.prefix(5) { print(p.first, p.second, p.score) }
/// ```
///
/// The score of a pair is `a·b / (max(‖a‖, eps)·max(‖b‖, eps))`, clamped to [−1, 1], the same
/// from both rows. The search runs the GEMM kernels over packed rows on all cores with one bounded
/// heap per row: the N × N matrix is never built. For `Float` and `Float16` rows each pair is
/// scored once (tiles on and above the diagonal) and offered to both rows' heaps: half the
/// multiply-adds of a self-search, with the same result.
///
/// - Parameters:
///   - x: Rows [N, D] (a rank-1 tensor is one row), N ≥ 1, D ≥ 1.
///   - topK: Neighbors per row, ≥ 1 (default 100). Values above N − 1 take every other row, as
///     sentence-transformers does.
///   - maxPairs: At most this many pairs (default 500 000), ≥ 0.
///   - threshold: When given, the smallest score kept, in [−1, 1].
///   - eps: Norm floor, as in ``cosineSimilarity(_:_:axis:eps:)``.
///   - progress: Called after each block of rows searched (stage `"neighbors"`, rows done of N);
///     it may throw to stop.
/// - Returns: The pairs, best first.
/// - Throws: ``CosineError/invalidShape(_:)`` for an empty or non-matrix `x`;
///   ``CosineError/invalidArgument(_:)`` for `topK ≤ 0`, `maxPairs < 0`, a threshold outside
///   [−1, 1] or an invalid eps; whatever `progress` throws.
///
/// **Edge cases:** N = 1 gives no pair. A zero row scores 0 with every row. Duplicate rows score
/// (about) 1 and are paired with each other. Ties at the `maxPairs` cut keep the lower indices.
/// - Complexity: N²·D/2 multiply-adds on all cores (N²·D for `Double`), O(N·K·log(N·K)) to sort
///   the candidates; memory O(N·(D + K)) (the heaps once per thread).
public func paraphraseMining<T: TensorScalar>(
  _ x: Tensor<T>, topK: Int = 100, maxPairs: Int = 500_000, threshold: Double? = nil, eps: Double = 1e-8,
  progress: AnalysisProgressHandler? = nil
) throws -> [CosineScoredPair<T>] {
  let (m, n, d) = try AnalysisArguments.matrix(x, "paraphrase mining")
  guard topK >= 1 else { throw CosineError.invalidArgument("top-k must be >= 1, got \(topK)") }
  guard maxPairs >= 0 else { throw CosineError.invalidArgument("max pairs must be >= 0, got \(maxPairs)") }
  if let threshold { try AnalysisArguments.threshold(threshold) }
  let k = Swift.min(topK, n - 1)
  let (ids, scores) = try withNeighborEngine(m, rows: n, dim: d, eps: eps, asCorpus: true) { engine in
    try engine.otherNeighbors(k: k) { done, total in
      try progress?(AnalysisProgress(stage: "neighbors", completed: done, total: total))
    }
  }
  return PairMiner.pairs(ids: ids, scores: scores, rows: n, k: k, maxPairs: maxPairs, threshold: threshold)
}

/// The async form of
/// ``paraphraseMining(_:topK:maxPairs:threshold:eps:progress:)-(_,_,_,_,_,AnalysisProgressHandler?)``:
/// runs off the cooperative thread pool; cancelling the task stops the search at its next
/// progress report with `CancellationError`.
public func paraphraseMining<T: TensorScalar>(
  _ x: Tensor<T>, topK: Int = 100, maxPairs: Int = 500_000, threshold: Double? = nil, eps: Double = 1e-8,
  progress: (@Sendable (AnalysisProgress) -> Void)? = nil
) async throws -> [CosineScoredPair<T>] {
  try await AnalysisAsync.run(progress: progress) { report in
    try paraphraseMining(x, topK: topK, maxPairs: maxPairs, threshold: threshold, eps: eps, progress: report)
  }
}

/// The union of neighbor lists as sorted, de-duplicated pairs.
package enum PairMiner {
  package static func pairs<T: TensorScalar>(
    ids: [Int], scores: [Double], rows n: Int, k: Int, maxPairs: Int, threshold: Double?
  ) -> [CosineScoredPair<T>] {
    var all: [(i: Int, j: Int, s: Double)] = []
    all.reserveCapacity(n * k)
    for q in 0..<n {
      for r in 0..<k {
        let j = ids[q * k + r]
        let s = scores[q * k + r]
        if let threshold, !(s >= threshold) { continue }
        all.append(q < j ? (q, j, s) : (j, q, s))
      }
    }
    // The score of (i, j) is the same from both rows, so duplicates end up adjacent.
    all.sort { a, b in
      if a.s.isNaN != b.s.isNaN { return b.s.isNaN }
      if !a.s.isNaN && a.s != b.s { return a.s > b.s }
      return a.i != b.i ? a.i < b.i : a.j < b.j
    }
    var out: [CosineScoredPair<T>] = []
    out.reserveCapacity(Swift.min(maxPairs, all.count))
    var last: (Int, Int) = (-1, -1)
    for c in all {
      if out.count >= maxPairs { break }
      if c.i == last.0 && c.j == last.1 { continue }
      last = (c.i, c.j)
      out.append(CosineScoredPair(first: c.i, second: c.j, score: T(c.s)))
    }
    return out
  }
}

extension CosineScoredPair: CustomStringConvertible {
  /// `(first, second, score)`, as `(3, 10, 1.0)`.
  public var description: String { "(\(first), \(second), \(score))" }
}
