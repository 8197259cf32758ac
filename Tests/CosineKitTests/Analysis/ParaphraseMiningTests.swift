import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Paraphrase mining against a brute-force sort of every score.
@Suite struct ParaphraseMiningTests {
  /// The definition: every row's top-k other rows, union as i < j, sorted (score desc, i, j), cut.
  func reference(_ x: Tensor<Float>, topK: Int, maxPairs: Int, threshold: Double?) -> [(Int, Int, Double)] {
    let n = x.shape[0]
    let s = AnalysisData.scores(x)
    var set = Set<[Int]>()
    var pairs: [(Int, Int, Double)] = []
    for q in 0..<n {
      for (j, v) in AnalysisData.bruteNeighbors(s, n: n, q: q, k: topK) {
        if let threshold, v < threshold { continue }
        let p = [Swift.min(q, j), Swift.max(q, j)]
        if set.insert(p).inserted { pairs.append((p[0], p[1], v)) }
      }
    }
    pairs.sort { a, b in a.2 != b.2 ? a.2 > b.2 : (a.0 != b.0 ? a.0 < b.0 : a.1 < b.1) }
    return Array(pairs.prefix(maxPairs))
  }

  func check(_ x: Tensor<Float>, topK: Int, maxPairs: Int = 500_000, threshold: Double? = nil) throws {
    let got = try paraphraseMining(x, topK: topK, maxPairs: maxPairs, threshold: threshold)
    let want = reference(x, topK: topK, maxPairs: maxPairs, threshold: threshold)
    #expect(got.count == want.count)
    for (g, w) in zip(got, want) {
      #expect(g.first == w.0 && g.second == w.1 && Double(g.score) == w.2, "\(g) vs \(w)")
      // And the score is the float64 cosine, to float32 rounding.
      #expect(isClose(Double(g.score), AnalysisData.exactCosine(x, g.first, g.second), rtol: 0, atol: 2e-6))
    }
  }

  @Test func equalsBruteForceWithDuplicatesAndZeroRows() throws {
    let x = AnalysisData.withDuplicates(150, 24, seed: 1)
    try check(x, topK: 5)
    try check(x, topK: 1)
    try check(x, topK: 100)
  }

  /// Enough rows for several row tiles and column blocks of the half-triangle search (pairs
  /// scored once, offered to both rows, slots per thread merged), with duplicates that tie
  /// across blocks, and a k large enough for the reservoir slots.
  @Test func severalBlocksAndThreadsEqualBruteForce() throws {
    var x = AnalysisData.withDuplicates(1_300, 12, seed: 7)
    for j in 0..<12 {
      // Row 3 again in other row tiles and column blocks: ties between blocks.
      x.scalars[600 * 12 + j] = x.scalars[3 * 12 + j]
      x.scalars[1_250 * 12 + j] = x.scalars[3 * 12 + j]
    }
    try check(x, topK: 3)
    try check(AnalysisData.withDuplicates(700, 10, seed: 8), topK: 70)
    let before = CosineKitThreads.count
    defer { CosineKitThreads.count = before }
    CosineKitThreads.count = 1
    let one = try paraphraseMining(x, topK: 3)
    CosineKitThreads.count = 2
    let two = try paraphraseMining(x, topK: 3)
    #expect(one.map { [$0.first, $0.second] } == two.map { [$0.first, $0.second] })
    #expect(one.map(\.score) == two.map(\.score))
  }

  @Test func duplicatesFindEachOtherAndNeverThemselves() throws {
    let x = AnalysisData.withDuplicates(60, 8, seed: 2)
    let got = try paraphraseMining(x, topK: 2)
    #expect(got.allSatisfy { $0.first < $0.second })
    let top = got.prefix(4).map { [$0.first, $0.second] }
    // Rows 3, 10, 11 are equal and row 20 = 2 · row 21: four pairs of score 1 (to rounding).
    #expect(Set(top) == Set([[3, 10], [3, 11], [10, 11], [20, 21]]))
    // The three equal rows tie exactly, so they come by lower i, then lower j.
    let equal = got.filter { Set([3, 10, 11]).isSuperset(of: [$0.first, $0.second]) }
    #expect(equal.map { [$0.first, $0.second] } == [[3, 10], [3, 11], [10, 11]])
  }

  @Test func maxPairsThresholdAndAllOtherRows() throws {
    let x = AnalysisData.withDuplicates(40, 6, seed: 3)
    try check(x, topK: 39)  // K = N − 1: every pair
    #expect(try paraphraseMining(x, topK: 39).count == 40 * 39 / 2)
    #expect(try paraphraseMining(x, topK: 500).count == 40 * 39 / 2)  // clamped, as sentence-transformers
    try check(x, topK: 7, maxPairs: 10)
    try check(x, topK: 7, maxPairs: 0)
    try check(x, topK: 7, threshold: 0.3)
    try check(x, topK: 7, threshold: -1)
  }

  @Test func oneRowGivesNoPairAndDoubleInputsWork() throws {
    #expect(try paraphraseMining(Tensor<Float>([1, 2, 3]), topK: 3).isEmpty)
    let x = randomTensor([30, 5], seed: 4, as: Double.self)
    let got = try paraphraseMining(x, topK: 3)
    let f = AnalysisData.scores(x.converted(to: Float.self))
    #expect(!got.isEmpty)
    for p in got { #expect(isClose(p.score, f[p.first * 30 + p.second], rtol: 0, atol: 1e-6)) }
  }

  @Test func badArgumentsAreErrors() throws {
    let x = randomTensor([5, 3], seed: 5, as: Float.self)
    #expect(throws: CosineError.self) { try paraphraseMining(x, topK: 0) }
    #expect(throws: CosineError.self) { try paraphraseMining(x, topK: 2, maxPairs: -1) }
    #expect(throws: CosineError.self) { try paraphraseMining(x, topK: 2, threshold: 1.5) }
    #expect(throws: CosineError.self) { try paraphraseMining(x, topK: 2, threshold: .nan) }
    #expect(throws: CosineError.self) { try paraphraseMining(try Tensor<Float>(shape: [0, 3], scalars: []), topK: 2) }
  }

  @Test func progressIsReportedAndCanStop() throws {
    let x = randomTensor([500, 16], seed: 6, as: Float.self)
    var last = AnalysisProgress(stage: "", completed: 0, total: 0)
    _ = try paraphraseMining(x, topK: 3) { last = $0 }
    #expect(last == AnalysisProgress(stage: "neighbors", completed: 500, total: 500))
    struct Stop: Error {}
    #expect(throws: Stop.self) { try paraphraseMining(x, topK: 3, progress: { _ in throw Stop() }) }
  }

  func syncMine(_ x: Tensor<Float>) throws -> [CosineScoredPair<Float>] { try paraphraseMining(x, topK: 4) }

  @Test func asyncFormEqualsSyncForm() async throws {
    let x = AnalysisData.withDuplicates(80, 10, seed: 7)
    let a: [CosineScoredPair<Float>] = try await paraphraseMining(x, topK: 4, progress: nil)
    let b = try syncMine(x)
    #expect(a == b)
  }
}
