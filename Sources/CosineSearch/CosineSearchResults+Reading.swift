import CosineCore

/// Reading results per query, as FAISS and sentence-transformers users do, and printing them.
///
/// ```swift
/// let r = try index.search(queries, k: 3)
/// r[0]                      // [(86, 0.7812345), (3, 0.5), (17, 0.25)]: query 0's hits, best first
/// let (D, I) = r.faiss      // FAISS's pair: scores [Q, 3] and row ids per query
/// r.indexLists, r.scoreLists
/// ```
extension CosineSearchResults: CustomStringConvertible {
  /// The hits of query `q`, best first (``hits(forQuery:)``).
  ///
  /// - Precondition: `0 <= q < queryCount`.
  public subscript(query: Int) -> [CosineSearchHit<Scalar>] { hits(forQuery: query) }

  /// The hits of every query, best first: `queryCount` lists of `k` hits (the layout of
  /// sentence-transformers' `util.semantic_search`, one `(corpus_id, score)` per hit).
  ///
  /// - Complexity: O(queryCount · k).
  public var hitLists: [[CosineSearchHit<Scalar>]] { (0..<queryCount).map { hits(forQuery: $0) } }

  /// The scores of each query, best first: `queryCount` lists of `k` scores (beside
  /// ``indexLists``).
  public var scoreLists: [[Scalar]] { (0..<queryCount).map { q in Array(scores[q * k..<(q + 1) * k]) } }

  /// FAISS's `D, I = index.search(x, k)` in one line: the scores as a `[queryCount, k]` tensor
  /// (for an inner-product index FAISS's "distances" are these similarities) and the row ids per
  /// query.
  ///
  /// ```swift
  /// let (D, I) = try index.search(queries, k: 10).faiss
  /// ```
  public var faiss: (D: Tensor<Scalar>, I: [[Int]]) { (scoreTensor, indexLists) }

  /// One line per query with its hits, `query 0: (86, 0.7812345), (3, 0.5)`; at most 20 queries
  /// are listed (then `… N more queries`).
  public var description: String {
    var lines = ["CosineSearchResults<\(Scalar.self)>: \(queryCount) queries, top \(k)"]
    for q in 0..<Swift.min(queryCount, 20) {
      lines.append("query \(q): " + hits(forQuery: q).map(\.description).joined(separator: ", "))
    }
    if queryCount > 20 { lines.append("… \(queryCount - 20) more queries") }
    return lines.joined(separator: "\n")
  }
}

extension CosineSearchHit: CustomStringConvertible {
  /// `(index, score)`, as `(86, 0.7812345)`.
  public var description: String { "(\(index), \(score))" }
}

extension CosineIndex: CustomStringConvertible {
  /// `CosineIndex<Float>: 1000 rows of 384`.
  public var description: String { "CosineIndex<\(Scalar.self)>: \(count) rows of \(dimension)" }
}

extension CosineIndexFile: CustomStringConvertible {
  /// `CosineIndexFile: 1000 rows of 384, int8 codes, 2 segments, 3 removed rows`.
  public var description: String {
    "CosineIndexFile: \(count) rows of \(dimension), \(quantization == .none ? "no" : quantization.rawValue) codes, "
      + "\(segmentCount) segment\(segmentCount == 1 ? "" : "s"), \(removedCount) removed rows"
  }
}

extension RetrievalMetrics: CustomStringConvertible {
  /// The metrics at each cutoff, `recall@1 0.86, recall@5 0.97, …, MRR@10 0.91, nDCG@10 0.92`.
  public var description: String {
    func part(_ name: String, _ values: [Int: Double]) -> [String] {
      values.keys.sorted().map { "\(name)@\($0) \(values[$0]!)" }
    }
    return "RetrievalMetrics (\(queryCount) queries): "
      + (part("recall", recall) + part("MRR", mrr) + part("nDCG", ndcg)).joined(separator: ", ")
  }
}
