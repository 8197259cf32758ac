import CosineCore

extension CosineSearchResults {
  /// Merges the results of the same queries over several shards of one corpus.
  ///
  /// Shard `s` holds the corpus rows `rowOffsets[s] ..< rowOffsets[s] + N_s`; its results carry
  /// shard-local indices, which become global by adding `rowOffsets[s]`. For each query the
  /// merged list is the best `min(k, Σ shard k)` entries of the union in rank order (higher
  /// score, then lower global index, NaN last). When every shard was searched with the same `k`
  /// this equals the search of the whole corpus exactly, so a corpus too large for one machine
  /// can be split across machines and merged here.
  ///
  /// ```swift
  /// let a = try CosineIndex(shard0).search(queries, k: 10)
  /// let b = try CosineIndex(shard1).search(queries, k: 10)
  /// let all = try CosineSearchResults.merging([a, b], rowOffsets: [0, shard0.shape[0]], k: 10)
  /// ```
  ///
  /// - Parameters:
  ///   - shards: Results per shard, all for the same queries.
  ///   - rowOffsets: The global index of each shard's first row; one per shard.
  ///   - k: Results to keep per query; must be ≥ 0.
  /// - Returns: Results with global indices, `min(k, Σ shard k)` per query.
  /// - Throws: ``CosineError/invalidArgument(_:)`` if the shard and offset counts differ, the
  ///   shards have different query counts, or `k < 0`.
  ///
  /// **Edge cases:** no shards gives zero queries; shards with no rows contribute nothing; equal
  /// scores from different shards are ordered by global index.
  /// - Complexity: O(Q · S·k · log(S·k)) for Q queries and S shards.
  public static func merging(_ shards: [CosineSearchResults], rowOffsets: [Int], k: Int) throws -> CosineSearchResults {
    guard k >= 0 else { throw CosineError.invalidArgument("top-k must be >= 0, got \(k)") }
    guard shards.count == rowOffsets.count else {
      throw CosineError.invalidArgument("\(shards.count) shard results but \(rowOffsets.count) row offsets")
    }
    guard let q = shards.first?.queryCount else {
      return CosineSearchResults(queryCount: 0, k: 0, indices: [], scores: [], rankingScores: [])
    }
    guard shards.allSatisfy({ $0.queryCount == q }) else {
      throw CosineError.invalidArgument(
        "shard results have different query counts: \(shards.map(\.queryCount))")
    }
    let kk = Swift.min(k, shards.reduce(0) { $0 + $1.k })
    var indices = [Int](repeating: 0, count: q * kk)
    var scores = [Scalar](repeating: 0, count: q * kk)
    var ranking = [Double](repeating: 0, count: q * kk)
    var entries: [(score: Double, id: Int, scalar: Scalar)] = []
    for query in 0..<q {
      entries.removeAll(keepingCapacity: true)
      for (s, shard) in shards.enumerated() {
        for j in query * shard.k..<(query + 1) * shard.k {
          entries.append((shard.rankingScores[j], shard.indices[j] + rowOffsets[s], shard.scores[j]))
        }
      }
      entries.sort { SearchOrder.ranksBefore($0.score, $0.id, $1.score, $1.id) }
      for j in 0..<kk {
        indices[query * kk + j] = entries[j].id
        scores[query * kk + j] = entries[j].scalar
        ranking[query * kk + j] = entries[j].score
      }
    }
    return CosineSearchResults(queryCount: q, k: kk, indices: indices, scores: scores, rankingScores: ranking)
  }
}
