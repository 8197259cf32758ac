import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Searches of a few queries start with a bfloat16 pass over the high halves of the split
/// panels; results must still be exactly those of brute force.
@Suite struct PrefilterTests {
  @Test func theBfloat16PassAppliesToFewQueriesOnLargeCorpora() {
    #expect(Prefilter.applies(queries: 1, k: 10, rows: 1_000_000, dim: 384))
    #expect(Prefilter.applies(queries: 8, k: 10, rows: 5000, dim: 24))
    #expect(!Prefilter.applies(queries: 9, k: 10, rows: 1_000_000, dim: 384))
    #expect(!Prefilter.applies(queries: 1, k: 100, rows: 5000, dim: 384))
    #expect(!Prefilter.applies(queries: 1, k: 10, rows: 4000, dim: 384))
    // The slack covers bfloat16 truncation (2⁻⁷ relative) twice, plus the Float error.
    #expect(Prefilter.slack(dim: 384) > 2 * 0x1p-7 && Prefilter.slack(dim: 384) < 0.02)
  }

  @Test(arguments: [1, 3, 8] as [Int])
  func equalsBruteForceWithTiesZeroRowsAndNaN(_ nq: Int) throws {
    var corpus = randomTensor([5000, 24], seed: 150, as: Float.self)
    corpus = withDuplicatedRows(corpus, [(17, 4000), (17, 2500), (3000, 3001)])
    corpus = withZeroRows(corpus, [11, 4999])
    corpus.scalars[77 * 24] = .nan
    var q = randomTensor([nq, 24], seed: 151, as: Float.self)
    for j in 0..<24 { q.scalars[j] = corpus.scalars[17 * 24 + j] }
    let want = try bruteForceTopK(q, corpus, k: 10)
    let index = try CosineIndex(corpus)
    for threads in [1, 2] {
      let r = try withThreads(threads) { try index.search(q, k: 10) }
      #expect(rows(r).indices == want.indices, "threads \(threads)")
      #expect(rows(r).scores == want.scores)
    }
    #expect(Array(try index.search(q, k: 3).indices[0..<3]) == [17, 2500, 4000])
    // The bfloat16 pass itself ran (it returns nil only to fall back).
    guard case .single(let panels) = index.storage else {
      Issue.record("a Float index has split panels")
      return
    }
    let direct = try #require(try index.prefilteredSearch(panels, q, 10))
    #expect(rows(direct).indices == want.indices)
  }

  @Test func nearTiesBelowBfloat16ResolutionAreRankedExactly() throws {
    // Rows that differ from one another far below bfloat16's resolution: the bfloat16 pass
    // cannot tell them apart, so the exact pass must rank them.
    let base = randomTensor([1, 32], seed: 152, as: Float.self).scalars
    var g = SeededGenerator(seed: 153)
    var values: [Float] = []
    for r in 0..<6000 {
      let scale: Float = r % 5 == 0 ? 1e-4 : 1
      values += base.map { $0 + scale * Float(g.normal()) }
    }
    let corpus = try Tensor<Float>(shape: [6000, 32], scalars: values)
    let q = try Tensor<Float>(shape: [2, 32], scalars: base + base.map { -$0 })
    let want = try bruteForceTopK(q, corpus, k: 25)
    let r = try CosineIndex(corpus).search(q, k: 25)
    #expect(rows(r).indices == want.indices)
    #expect(rows(r).scores == want.scores)
  }

  @Test func splitOverThreads() throws {
    // Large enough for the bfloat16 pass to be split over two threads.
    let corpus = withDuplicatedRows(randomTensor([40_000, 64], seed: 159, as: Float.self), [(5, 39_999), (5, 20_000)])
    var q = randomTensor([2, 64], seed: 160, as: Float.self)
    for j in 0..<64 { q.scalars[j] = corpus.scalars[5 * 64 + j] }
    let want = try bruteForceTopK(q, corpus, k: 12)
    let index = try CosineIndex(corpus)
    for threads in [1, 2] {
      let r = try withThreads(threads) { try index.search(q, k: 12) }
      #expect(rows(r).indices == want.indices, "threads \(threads)")
      #expect(Array(r.indices[0..<3]) == [5, 20_000, 39_999])
    }
  }

  @Test func aNaNQueryFallsBackToTheExactPass() throws {
    let corpus = randomTensor([5000, 8], seed: 154, as: Float.self)
    let q = try Tensor<Float>(shape: [1, 8], scalars: [.nan, 1, 0, 0, 0, 0, 0, 0])
    let index = try CosineIndex(corpus)
    let r = try index.search(q, k: 5)
    #expect(r.indices == [0, 1, 2, 3, 4] && r.scores.allSatisfy(\.isNaN))
    guard case .single(let panels) = index.storage else { return }
    #expect(try index.prefilteredSearch(panels, q, 5) == nil)
  }

  @Test func everyInstructionSetGivesTheSameResults() throws {
    let corpus = withDuplicatedRows(randomTensor([4200, 20], seed: 155, as: Float.self), [(1, 4100)])
    let q = randomTensor([2, 20], seed: 156, as: Float.self)
    let best = try CosineIndex(corpus).search(q, k: 7)
    #expect(rows(best).indices == (try bruteForceTopK(q, corpus, k: 7)).indices)
    for level in [0, 1] {
      #expect(try withKernelLevel(level) { try CosineIndex(corpus).search(q, k: 7) } == best, "level \(level)")
    }
  }

  @Test func float16CorporaUseItToo() throws {
    let corpus = randomTensor([4500, 16], seed: 157, as: Float16.self)
    let q = randomTensor([2, 16], seed: 158, as: Float16.self)
    let r = try CosineIndex(corpus).search(q, k: 6)
    #expect(rows(r).indices == (try bruteForceTopK(q, corpus, k: 6)).indices)
  }
}
