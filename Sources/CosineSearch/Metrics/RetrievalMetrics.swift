import CosineCore
import RealModule

/// Information-retrieval metrics of a ranked search: recall@k, accuracy@k, MRR@k and nDCG@k, as
/// sentence-transformers' `InformationRetrievalEvaluator` defines them.
///
/// For each query with at least one relevant corpus row, its ranked hits (higher score first,
/// equal scores by lower corpus row, as ``CosineIndex/search(_:k:)-3rgor`` ranks them) are compared
/// with its set R of relevant rows:
/// - recall@k = |R ∩ top k| / |R|;
/// - accuracy@k = 1 if some relevant row is in the top k, else 0;
/// - MRR@k = 1 / rank of the first relevant row within the top k (ranks from 1), else 0;
/// - nDCG@k = DCG@k / IDCG@k with DCG@k = Σ_{i<k} rel_i / log₂(i + 2) over the top k
///   (rel_i ∈ {0, 1}) and IDCG@k the DCG of min(|R|, k) relevant rows at the top.
/// Each metric is the mean over those queries. Queries without a relevant row are left out, as
/// the evaluator leaves them out.
///
/// ```swift
/// let index = try CosineIndex(documents)
/// let m = try RetrievalMetrics(queries: queries, index: index)   // query i ↔ document i
/// m.recall[1], m.mrr[10], m.ndcg[10]
/// ```
///
/// **Edge cases:** with one relevant row per query, recall@k equals accuracy@k. A hit list
/// shorter than k (a corpus of fewer than k rows) counts the missing places as misses.
public struct RetrievalMetrics: Sendable, Equatable, Codable {
  /// The queries measured (those with at least one relevant row).
  public var queryCount: Int
  /// recall@k for each requested k.
  public var recall: [Int: Double]
  /// accuracy@k (hit rate) for each requested k.
  public var accuracy: [Int: Double]
  /// MRR@k for each requested k.
  public var mrr: [Int: Double]
  /// nDCG@k for each requested k.
  public var ndcg: [Int: Double]

  /// The cut-offs `cosine evaluate` reports: recall and accuracy at 1, 5, 10; MRR and nDCG at 10.
  public static let standardRecallCutoffs = [1, 5, 10]
  /// MRR@10 and nDCG@10.
  public static let standardRankCutoffs = [10]

  /// The metrics of ranked hit lists.
  ///
  /// - Parameters:
  ///   - ranked: For each query, corpus rows in rank order (best first); at least as many as
  ///     the largest cut-off, or the whole corpus if it is smaller.
  ///   - relevant: For each query, its relevant corpus rows (repeats count once).
  ///   - recallAt: Cut-offs of recall@k and accuracy@k.
  ///   - rankAt: Cut-offs of MRR@k and nDCG@k.
  /// - Throws: ``CosineError/invalidArgument(_:)`` if the two lists differ in length, a cut-off
  ///   is below 1, or no query has a relevant row.
  /// - Complexity: O(Σ over queries of (hits + relevant rows)) per cut-off.
  public init(
    ranked: [[Int]], relevant: [[Int]], recallAt: [Int] = standardRecallCutoffs, rankAt: [Int] = standardRankCutoffs
  ) throws {
    guard ranked.count == relevant.count else {
      throw CosineError.invalidArgument(
        "retrieval metrics need one relevant set per query: \(ranked.count) queries, \(relevant.count) sets")
    }
    if let bad = (recallAt + rankAt).first(where: { $0 < 1 }) {
      throw CosineError.invalidArgument("metric cut-offs must be >= 1, got \(bad)")
    }
    var recall = [Int: Double]()
    var accuracy = [Int: Double]()
    var mrr = [Int: Double]()
    var ndcg = [Int: Double]()
    for k in recallAt {
      recall[k] = 0
      accuracy[k] = 0
    }
    for k in rankAt {
      mrr[k] = 0
      ndcg[k] = 0
    }
    var measured = 0
    for (hits, rel) in zip(ranked, relevant) {
      let r = Set(rel)
      guard !r.isEmpty else { continue }
      measured += 1
      for k in recallAt {
        let found = hits.prefix(k).filter { r.contains($0) }.count
        recall[k]! += Double(found) / Double(r.count)
        accuracy[k]! += found > 0 ? 1 : 0
      }
      for k in rankAt {
        if let first = hits.prefix(k).firstIndex(where: { r.contains($0) }) { mrr[k]! += 1 / Double(first + 1) }
        var dcg = 0.0
        for (i, h) in hits.prefix(k).enumerated() where r.contains(h) { dcg += 1 / Double.log2(Double(i + 2)) }
        var ideal = 0.0
        for i in 0..<min(r.count, k) { ideal += 1 / Double.log2(Double(i + 2)) }
        ndcg[k]! += dcg / ideal
      }
    }
    guard measured > 0 else {
      throw CosineError.invalidArgument("retrieval metrics need at least one query with a relevant corpus row")
    }
    let n = Double(measured)
    self.queryCount = measured
    self.recall = recall.mapValues { $0 / n }
    self.accuracy = accuracy.mapValues { $0 / n }
    self.mrr = mrr.mapValues { $0 / n }
    self.ndcg = ndcg.mapValues { $0 / n }
  }

  /// The metrics of searching `index` with `queries` (exact top-k on the search engine, k the
  /// largest cut-off).
  ///
  /// - Parameters:
  ///   - queries: `[Q, D]` query rows.
  ///   - index: The corpus, `[N, D]`.
  ///   - relevant: For each query its relevant corpus rows; `nil` means query i's relevant row is
  ///     corpus row i (paired data), which needs Q ≤ N.
  ///   - recallAt: Cut-offs of recall@k and accuracy@k.
  ///   - rankAt: Cut-offs of MRR@k and nDCG@k.
  /// - Throws: ``CosineError`` for shapes that do not fit the index, a relevant row outside
  ///   `0..<N`, Q > N without `relevant`, or the errors of ``init(ranked:relevant:recallAt:rankAt:)``.
  /// - Complexity: one search, O(Q·N·D).
  public init<T: TensorScalar>(
    queries: Tensor<T>, index: CosineIndex<T>, relevant: [[Int]]? = nil,
    recallAt: [Int] = standardRecallCutoffs, rankAt: [Int] = standardRankCutoffs
  ) throws {
    let q = queries.rank == 1 ? 1 : (queries.shape.first ?? 0)
    let sets: [[Int]]
    if let relevant {
      if let (i, bad) = relevant.enumerated().lazy.compactMap({ i, s in
        s.first { $0 < 0 || $0 >= index.count }.map { (i, $0) }
      })
      .first {
        throw CosineError.invalidArgument(
          "query \(i): relevant row \(bad) is outside the corpus of \(index.count) rows")
      }
      sets = relevant
    } else {
      guard q <= index.count else {
        throw CosineError.invalidArgument(
          "paired evaluation retrieves corpus row i for query i: \(q) queries but \(index.count) corpus rows")
      }
      sets = (0..<q).map { [$0] }
    }
    guard sets.count == q else {
      throw CosineError.invalidArgument("\(q) queries but \(sets.count) relevant sets")
    }
    let k = (recallAt + rankAt).max() ?? 1
    let results = try index.search(queries, k: k)
    let ranked = (0..<results.queryCount).map { Array(results.indices[($0 * results.k)..<(($0 + 1) * results.k)]) }
    try self.init(ranked: ranked, relevant: sets, recallAt: recallAt, rankAt: rankAt)
  }
}
