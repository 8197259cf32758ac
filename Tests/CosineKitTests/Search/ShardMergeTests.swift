import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Searching shards and merging with row offsets equals searching the whole corpus.
@Suite struct ShardMergeTests {
  func shard<T>(_ t: Tensor<T>, _ rows: Range<Int>) -> Tensor<T> {
    let d = t.shape[1]
    return try! Tensor(shape: [rows.count, d], scalars: Array(t.scalars[rows.lowerBound * d..<rows.upperBound * d]))
  }

  @Test(arguments: [1, 5, 12] as [Int])
  func mergedShardsEqualTheWholeCorpus(_ k: Int) throws {
    // Ties across shards (a row duplicated in another shard) must come out by global index.
    let corpus = withDuplicatedRows(randomTensor([103, 12], seed: 130, as: Float.self), [(90, 3), (90, 50)])
    var q = randomTensor([6, 12], seed: 131, as: Float.self)
    for j in 0..<12 { q.scalars[j] = corpus.scalars[90 * 12 + j] }
    let whole = try CosineIndex(corpus).search(q, k: k)
    let cuts = [0, 4, 4, 60, 103]  // includes an empty shard and one smaller than k
    var parts: [CosineSearchResults<Float>] = []
    for s in 0..<cuts.count - 1 {
      parts.append(try CosineIndex(shard(corpus, cuts[s]..<cuts[s + 1])).search(q, k: k))
    }
    let merged = try CosineSearchResults.merging(parts, rowOffsets: Array(cuts.dropLast()), k: k)
    #expect(merged == whole)
    if k >= 3 { #expect(Array(merged.indices[0..<3]) == [3, 50, 90]) }
  }

  @Test func float16ShardsMergeInTheirRankingPrecision() throws {
    let corpus = randomTensor([300, 8], seed: 132, as: Float16.self)
    let q = randomTensor([10, 8], seed: 133, as: Float16.self)
    let whole = try CosineIndex(corpus).search(q, k: 20)
    let parts = try [0..<150, 150..<300].map { try CosineIndex(shard(corpus, $0)).search(q, k: 20) }
    #expect(try CosineSearchResults.merging(parts, rowOffsets: [0, 150], k: 20) == whole)
  }

  @Test func mergeValidatesItsArguments() throws {
    let r = try CosineSearchResults<Float>(queryCount: 1, k: 2, indices: [0, 1], scores: [0.5, 0.25])
    let other = try CosineSearchResults<Float>(queryCount: 2, k: 1, indices: [0, 1], scores: [0.5, 0.25])
    #expect(throws: CosineError.self) { try CosineSearchResults.merging([r], rowOffsets: [], k: 2) }
    #expect(throws: CosineError.self) { try CosineSearchResults.merging([r, other], rowOffsets: [0, 2], k: 2) }
    #expect(throws: CosineError.self) { try CosineSearchResults.merging([r], rowOffsets: [0], k: -1) }
    #expect(throws: CosineError.self) {
      try CosineSearchResults<Float>(queryCount: 1, k: 2, indices: [0], scores: [0.5])
    }
    #expect(try CosineSearchResults<Float>.merging([], rowOffsets: [], k: 3).queryCount == 0)
    let m = try CosineSearchResults.merging([r, r], rowOffsets: [0, 10], k: 3)
    #expect(m.indices == [0, 10, 1] && m.scores == [0.5, 0.5, 0.25])
    #expect(m.hits(forQuery: 0).map(\.index) == [0, 10, 1])
  }
}
