import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The int8 first pass must return exactly the exact search: same ids, same score bits.
@Suite struct Int8SearchTests {
  /// Rows that stress the error bound: near-ties, duplicates, zero rows, a NaN row, and a
  /// cluster of almost equal rows that the bound cannot separate.
  func adversarial(_ n: Int, _ d: Int, seed: UInt64) -> Tensor<Float> {
    var t = randomTensor([n, d], seed: seed, as: Float.self)
    var g = SeededGenerator(seed: seed + 1)
    for r in stride(from: 100, to: n, by: 37) {  // near-duplicates of row 5
      for j in 0..<d { t.scalars[r * d + j] = t.scalars[5 * d + j] * (1 + Float(g.normal()) * 1e-6) }
    }
    t = withDuplicatedRows(t, [(5, 60), (5, 61), (7, n - 1)])
    t = withZeroRows(t, [3, n / 2])
    t.scalars[9 * d + 1] = .nan
    for j in 0..<d { t.scalars[11 * d + j] = j == 0 ? 1e30 : 1e-30 }  // one huge component
    return t
  }

  @Test(arguments: [(2000, 24), (1500, 37), (700, 384), (97, 5)] as [(Int, Int)])
  func int8ResultsEqualExactOnRandomAndAdversarialData(_ n: Int, _ d: Int) throws {
    for (c, name) in [
      (randomTensor([n, d], seed: 5, as: Float.self), "random"), (adversarial(n, d, seed: 9), "adversarial"),
    ] {
      var q = randomTensor([8, d], seed: 77, as: Float.self)
      for j in 0..<d { q.scalars[j] = c.scalars[5 * d + j] }  // ties with rows 5, 60, 61 and near-ties
      for j in 0..<d { q.scalars[d + j] = 0 }  // a zero query
      let model = IndexModel(c)
      for level in [2, 0] {
        try withKernelLevel(level) {
          let index = try CosineIndexFile(c, quantization: .int8)
          let exact = try CosineIndex(c)
          for k in [1, 10, 64] {
            let want = try model.topK(q, k: k)
            for nq in [1, 8] {
              let qs = try Tensor<Float>(shape: [nq, d], scalars: Array(q.scalars[0..<nq * d]))
              let r = try index.search(qs, k: k)
              #expect(rows(r).indices == Array(want.ids.prefix(nq)), "\(name) level \(level) k \(k) nq \(nq)")
              #expect(sameBits(rows(r).scores, Array(want.scores.prefix(nq))), "\(name) level \(level) k \(k)")
              #expect(try exact.search(qs, k: k) == r)
            }
          }
        }
      }
    }
  }

  @Test func thePortableScanOfWidePanelsGivesTheSameResults() throws {
    // An index packed for AVX-512 (32-row panels), searched with the portable int8 scan.
    let c = adversarial(900, 40, seed: 50)
    let index = try CosineIndexFile(c, quantization: .int8)
    let q = randomTensor([3, 40], seed: 51, as: Float.self)
    let fast = try index.search(q, k: 12)
    let portable = try withKernelLevel(0) { try index.search(q, k: 12) }
    #expect(fast == portable)
    #expect(rows(fast).indices == (try IndexModel(c).topK(q, k: 12)).ids)
  }

  @Test func asyncFormsGiveTheSyncResults() async throws {
    let c = randomTensor([500, 12], seed: 60, as: Float.self)
    let index = try CosineIndexFile(c, quantization: .int8)
    let path = temporaryIndexPath("async")
    defer { unlink(path) }
    try await index.save(to: path)
    let mapped = try await CosineIndexFile.mapping(path)
    let q = randomTensor([2, 12], seed: 61, as: Float.self)
    let a = try await mapped.search(q, k: 4, filter: .denying([1, 2, 3]))
    func blocking() throws -> CosineSearchResults<Float> { try index.search(q, k: 4, filter: .denying([1, 2, 3])) }
    let b = try blocking()
    #expect(a == b && a.k == 4)
  }

  @Test func theInt8PassRescoresFewRowsOfALargeCorpus() throws {
    // The pass itself: on random rows the bound leaves only a small fraction to rescore.
    let c = randomTensor([20000, 64], seed: 3, as: Float.self)
    let index = try CosineIndexFile(c, quantization: .int8)
    let t = index.table
    let q = randomTensor([1, 64], seed: 4, as: Float.self)
    let packed = try Packing.packed(q.scalars, rows: 1, dim: 64, eps: 1e-8, width: 1, as: Float.self)
    let seg = t.segments[0]
    let sel = RowSelection(seg, dead: [], filter: nil)
    let r = try #require(t.int8Search(seg, sel, packed.base, k: 10))
    #expect(r.hits.map(\.id) == (try IndexModel(c).topK(q, k: 10)).ids[0])
    #expect(r.rescoredPanels * 20 < seg.panelCount, "\(r.rescoredPanels) of \(seg.panelCount) panels rescored")
  }

  @Test func theErrorBoundHoldsForEveryRow() throws {
    // |exact − approximate| ≤ margin for every row: recompute A and m from the stored codes.
    let d = 48
    let c = adversarial(600, d, seed: 21)
    let index = try CosineIndexFile(c, quantization: .int8)
    let t = index.table
    guard let codes = t.segments[0].int8 else {
      Issue.record("an int8 index keeps codes")
      return
    }
    let seg = t.segments[0]
    #expect(codes.err[9].isInfinite)  // the NaN row is always rescored
    for seed in 22..<30 as Range<UInt64> {
      let q = randomTensor([1, d], seed: seed, as: Float.self)
      let exact = try cosineSimilarityMatrix(q, c)
      let a = try Packing.packed(q.scalars, rows: 1, dim: d, eps: 1e-8, width: 1, as: Float.self)
      let query = try #require(Int8Query(a.base, dim: d))
      let (lower, upper) = try #require(t.int8Bounds(seg, query))
      for r in 0..<600 where exact.scalars[r].isFinite {
        #expect(lower[r] <= exact.scalars[r] && exact.scalars[r] <= upper[r], "row \(r)")
        #expect(upper[r] - lower[r] < 0.2)
      }
    }
  }
}
