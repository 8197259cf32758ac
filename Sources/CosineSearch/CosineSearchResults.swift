import CosineCore

/// One search result: a corpus row and its cosine similarity with the query.
public struct CosineSearchHit<Scalar: TensorScalar>: Sendable, Equatable {
  /// The row of the corpus (with shard offsets applied, a global row id).
  public var index: Int
  /// The cosine similarity, in [−1, 1] (or NaN).
  public var score: Scalar

  public init(index: Int, score: Scalar) {
    self.index = index
    self.score = score
  }
}

/// The `k` best corpus rows of each query of a search, in rank order.
///
/// Rank order is: higher score first; equal scores by lower row index; NaN scores after every
/// number. This is the order of a brute-force sort of every score, which the search reproduces
/// exactly (`sentence_transformers.util.semantic_search` returns the same lists).
///
/// ```swift
/// let index = try CosineIndex(corpus)
/// let results = try index.search(queries, k: 10)
/// for hit in results.hits(forQuery: 0) { print(hit.index, hit.score) }
/// ```
///
/// Results of several shards of one corpus merge into the results of the whole corpus with
/// ``merging(_:rowOffsets:k:)``.
public struct CosineSearchResults<Scalar: TensorScalar>: Sendable, Equatable {
  /// The number of queries.
  public let queryCount: Int
  /// Results per query: `min(k, N)` for a corpus of N rows.
  public let k: Int
  /// Row indices, row-major `[queryCount, k]`.
  public let indices: [Int]
  /// Scores, row-major `[queryCount, k]`, rounded to `Scalar`.
  public let scores: [Scalar]
  /// The scores at the precision they were ranked in (`Float` for `Float16` tensors), so that
  /// merging shards reproduces the unsharded order exactly.
  package let rankingScores: [Double]

  /// Results from their parts.
  ///
  /// - Parameters:
  ///   - queryCount: Number of queries.
  ///   - k: Results per query.
  ///   - indices: `queryCount · k` row indices, each query's in rank order.
  ///   - scores: The matching scores.
  /// - Throws: ``CosineError/invalidShape(_:)`` if the counts differ from `queryCount · k`,
  ///   ``CosineError/invalidArgument(_:)`` for a negative count.
  public init(queryCount: Int, k: Int, indices: [Int], scores: [Scalar]) throws {
    guard queryCount >= 0, k >= 0 else {
      throw CosineError.invalidArgument("query count and k must be >= 0, got \(queryCount) and \(k)")
    }
    let (n, overflow) = queryCount.multipliedReportingOverflow(by: k)
    guard !overflow, indices.count == n, scores.count == n else {
      throw CosineError.invalidShape(
        "search results for \(queryCount) queries × \(k) need \(queryCount) × \(k) indices and scores, got \(indices.count) and \(scores.count)"
      )
    }
    self.init(queryCount: queryCount, k: k, indices: indices, scores: scores, rankingScores: scores.map { Double($0) })
  }

  package init(queryCount: Int, k: Int, indices: [Int], scores: [Scalar], rankingScores: [Double]) {
    self.queryCount = queryCount
    self.k = k
    self.indices = indices
    self.scores = scores
    self.rankingScores = rankingScores
  }

  /// The results of query `q`, best first.
  ///
  /// - Precondition: `0 <= q < queryCount`.
  /// - Complexity: O(k).
  public func hits(forQuery q: Int) -> [CosineSearchHit<Scalar>] {
    precondition(q >= 0 && q < queryCount, "query \(q) out of range 0..<\(queryCount)")
    return (q * k..<(q + 1) * k).map { CosineSearchHit(index: indices[$0], score: scores[$0]) }
  }

  /// The row indices of each query, best first: `queryCount` lists of `k` row numbers, the
  /// `indices` of ``topKSearch(queries:corpus:k:eps:)-31sfl``.
  ///
  /// - Complexity: O(queryCount · k).
  public var indexLists: [[Int]] {
    (0..<queryCount).map { q in Array(indices[q * k..<(q + 1) * k]) }
  }

  /// The indices as a `[queryCount, k]` tensor of `Double` (exact up to 2^53 rows), the layout
  /// `.npy` index files are written from.
  public var indexTensor: Tensor<Double> {
    Tensor(uncheckedShape: [queryCount, k], scalars: indices.map { Double($0) })
  }

  /// The scores as a `[queryCount, k]` tensor.
  public var scoreTensor: Tensor<Scalar> {
    Tensor(uncheckedShape: [queryCount, k], scalars: scores)
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.queryCount == rhs.queryCount && lhs.k == rhs.k && lhs.indices == rhs.indices
      && zip(lhs.scores, rhs.scores).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
  }
}
