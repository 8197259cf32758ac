import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Search results equal brute force: sorting every score of the matrix.
@Suite struct CosineIndexTests {
  @Test(arguments: [1, 3, 10, 64, 300] as [Int])
  func equalsBruteForceWithTiesAndZeroRows(_ k: Int) throws {
    // Duplicated rows give exact ties (lower index first); zero rows score 0.
    var corpus = randomTensor([257, 24], seed: 100, as: Float.self)
    corpus = withDuplicatedRows(corpus, [(5, 40), (5, 200), (7, 8)])
    corpus = withZeroRows(corpus, [0, 100, 256])
    var queries = randomTensor([23, 24], seed: 101, as: Float.self)
    queries = withZeroRows(queries, [3])
    for j in 0..<24 { queries.scalars[j] = corpus.scalars[5 * 24 + j] }  // query 0 is row 5
    let r = try CosineIndex(corpus).search(queries, k: k)
    let want = try bruteForceTopK(queries, corpus, k: k)
    #expect(r.k == min(k, 257) && r.queryCount == 23)
    #expect(rows(r).indices == want.indices)
    #expect(rows(r).scores == want.scores)
    if k >= 3 { #expect(Array(r.indices[0..<3]) == [5, 40, 200]) }
    // The zero query scores 0 with everything: the first k rows in index order.
    #expect(Array(r.indices[3 * r.k..<4 * r.k]) == Array(0..<r.k))
  }

  @Test func agreesWithDoubleReferenceRanking() throws {
    let corpus = randomTensor([500, 32], seed: 102, as: Float.self)
    let queries = randomTensor([7, 32], seed: 103, as: Float.self)
    let r = try CosineIndex(corpus).search(queries, k: 5)
    let c = corpus.converted(to: Double.self)
    let q = queries.converted(to: Double.self)
    for i in 0..<7 {
      let s = (0..<500).map {
        Reference.cosine(Array(q.scalars[i * 32..<(i + 1) * 32]), Array(c.scalars[$0 * 32..<($0 + 1) * 32]))
      }
      let order = (0..<500).sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
      for j in 0..<5 {
        let got = r.indices[i * 5 + j]
        // Float scores may swap entries whose exact scores differ by less than the Float error.
        #expect(got == order[j] || abs(s[got] - s[order[j]]) < 1e-6, "query \(i) rank \(j)")
        #expect(isClose(Double(r.scores[i * 5 + j]), s[got], rtol: 0, atol: 2e-6))
      }
    }
  }

  @Test func kAboveNReturnsEverythingAndKZeroNothing() throws {
    let corpus = randomTensor([5, 3], seed: 104, as: Double.self)
    let q = randomTensor([2, 3], seed: 105, as: Double.self)
    let index = try CosineIndex(corpus)
    let all = try index.search(q, k: 50)
    #expect(all.k == 5 && Set(all.indices[0..<5]) == Set(0..<5))
    #expect(rows(all).indices == (try bruteForceTopK(q, corpus, k: 50)).indices)
    let none = try index.search(q, k: 0)
    #expect(none.k == 0 && none.queryCount == 2 && none.indices.isEmpty)
    #expect(try index.search(try Tensor<Double>(shape: [0, 3], scalars: []), k: 3).queryCount == 0)
    let empty = try CosineIndex(try Tensor<Double>(shape: [0, 3], scalars: []))
    #expect(try empty.search(q, k: 3).k == 0)
    #expect(throws: CosineError.self) { try index.search(q, k: -1) }
    #expect(throws: CosineError.self) { try index.search(randomTensor([2, 4], seed: 1, as: Double.self), k: 1) }
  }

  @Test func singleQueryWithFewerQueriesThanThreadsSplitsTheCorpus() throws {
    let corpus = withDuplicatedRows(randomTensor([3000, 48], seed: 106, as: Float.self), [(10, 2999), (10, 1500)])
    let q = try Tensor<Float>(shape: [48], scalars: Array(corpus.scalars[10 * 48..<11 * 48]))  // rank 1: one query
    let index = try CosineIndex(corpus)
    let want = try bruteForceTopK(q, corpus, k: 7)
    for threads in [1, 2] {
      let r = try withThreads(threads) { try index.search(q, k: 7) }
      #expect(rows(r).indices == want.indices, "threads \(threads)")
      #expect(rows(r).scores == want.scores)
      #expect(Array(r.indices[0..<3]) == [10, 1500, 2999])
    }
  }

  @Test func manyQueriesOnBothPlansAndThreadCounts() throws {
    // A small corpus with many queries splits the queries; a large one splits the corpus.
    for (n, nq) in [(60, 400), (2000, 150)] {
      let corpus = randomTensor([n, 40], seed: UInt64(107 + n), as: Float.self)
      let q = randomTensor([nq, 40], seed: UInt64(108 + n), as: Float.self)
      let want = try bruteForceTopK(q, corpus, k: 4)
      let index = try CosineIndex(corpus)
      let one = try withThreads(1) { try index.search(q, k: 4) }
      let two = try withThreads(2) { try index.search(q, k: 4) }
      #expect(rows(one).indices == want.indices && rows(one).scores == want.scores, "N \(n)")
      #expect(one == two, "N \(n)")
    }
  }

  @Test func float16AndDoubleCorpora() throws {
    let c16 = withDuplicatedRows(randomTensor([130, 20], seed: 109, as: Float16.self), [(1, 129)])
    let q16 = randomTensor([9, 20], seed: 110, as: Float16.self)
    let r16 = try CosineIndex(c16).search(q16, k: 6)
    #expect(rows(r16).indices == (try bruteForceTopK(q16, c16, k: 6)).indices)
    let c = randomTensor([130, 20], seed: 111, as: Double.self)
    let q = randomTensor([9, 20], seed: 112, as: Double.self)
    let r = try CosineIndex(c).search(q, k: 6)
    let want = try bruteForceTopK(q, c, k: 6)
    #expect(rows(r).indices == want.indices && rows(r).scores == want.scores)
  }

  @Test func nanRowsRankLast() throws {
    var corpus = randomTensor([40, 5], seed: 113, as: Float.self)
    corpus.scalars[3 * 5] = .nan
    corpus.scalars[30 * 5 + 2] = .infinity
    let q = randomTensor([2, 5], seed: 114, as: Float.self)
    let r = try CosineIndex(corpus).search(q, k: 40)
    for i in 0..<2 {
      #expect(Array(r.indices[i * 40 + 38..<i * 40 + 40]) == [3, 30])
      #expect(r.scores[i * 40 + 39].isNaN && !r.scores[i * 40 + 37].isNaN)
    }
    #expect(rows(r).indices == (try bruteForceTopK(q, corpus, k: 40)).indices)
  }

  @Test(arguments: [63, 64, 100, 700] as [Int])
  func largeKWithManyTiesAndNaN(_ k: Int) throws {
    // From k = 64 the best-k state is a reservoir cut back by quickselect: check it on many
    // exact ties (a few rows repeated hundreds of times) and NaN rows, on both split plans.
    var corpus = randomTensor([1500, 10], seed: 121, as: Float.self)
    for r in 0..<1500 where r % 3 == 0 {
      for j in 0..<10 { corpus.scalars[r * 10 + j] = corpus.scalars[(r % 7) * 10 + j] }
    }
    corpus.scalars[9 * 10] = .nan
    corpus.scalars[1499 * 10 + 3] = .nan
    let q = randomTensor([40, 10], seed: 122, as: Float.self)
    let want = try bruteForceTopK(q, corpus, k: k)
    let index = try CosineIndex(corpus)
    for threads in [1, 2] {
      let r = try withThreads(threads) { try index.search(q, k: k) }
      #expect(rows(r).indices == want.indices, "threads \(threads)")
      #expect(rows(r).scores.flatMap { $0 }.map(\.bitPattern) == want.scores.flatMap { $0 }.map(\.bitPattern))
    }
    let one = try index.search(try Tensor<Float>(shape: [1, 10], scalars: Array(q.scalars[0..<10])), k: k)
    #expect(rows(one).indices[0] == want.indices[0])
  }

  @Test func instructionSetsGiveTheSameResults() throws {
    let corpus = withDuplicatedRows(randomTensor([100, 19], seed: 115, as: Float.self), [(2, 99)])
    let q = randomTensor([20, 19], seed: 116, as: Float.self)
    let best = try CosineIndex(corpus).search(q, k: 5)
    let cd = corpus.converted(to: Double.self)
    let qd = q.converted(to: Double.self)
    let bestD = try CosineIndex(cd).search(qd, k: 5)
    for level in [0, 1] {
      #expect(try withKernelLevel(level) { try CosineIndex(corpus).search(q, k: 5) } == best, "level \(level)")
      #expect(try withKernelLevel(level) { try CosineIndex(cd).search(qd, k: 5) } == bestD, "level \(level)")
      // An index packed at one level searched at another.
      let index = try withKernelLevel(level) { try CosineIndex(corpus) }
      #expect(try index.search(q, k: 5) == best)
    }
  }

  @Test func readingInPiecesEqualsTheTensorIndex() throws {
    let corpus = randomTensor([70_000, 16], seed: 117, as: Float.self)  // several 4 MiB pieces
    var ranges: [Range<Int>] = []
    let streamed = try CosineIndex<Float>(count: 70_000, dimension: 16) { range, buffer in
      ranges.append(range)
      for i in 0..<buffer.count { buffer[i] = corpus.scalars[range.lowerBound * 16 + i] }
    }
    #expect(ranges.count > 1 && ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 70_000)
    #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    let q = randomTensor([3, 16], seed: 118, as: Float.self)
    #expect(try streamed.search(q, k: 8) == (try CosineIndex(corpus).search(q, k: 8)))
    #expect(streamed.count == 70_000 && streamed.dimension == 16)
    #expect(streamed.byteCount >= 70_000 * 16 * 4 && streamed.byteCount < 70_000 * 16 * 4 + 64 * 16 * 4)
    struct Stop: Error {}
    #expect(throws: Stop.self) { try CosineIndex<Float>(count: 10, dimension: 2) { _, _ in throw Stop() } }
  }

  @Test func topKSearchKeepsItsTensorShape() throws {
    let corpus = randomTensor([33, 6], seed: 119, as: Float.self)
    let q = randomTensor([4, 6], seed: 120, as: Float.self)
    let (i, s) = try topKSearch(queries: q, corpus: corpus, k: 5)
    #expect(i.count == 4 && s.shape == [4, 5])
    let want = try bruteForceTopK(q, corpus, k: 5)
    #expect(i == want.indices)
  }
}
