import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Adds, removals, compaction and filters against a brute-force model.
@Suite struct IndexUpdateFilterTests {
  @Test(arguments: CosineIndexQuantization.allCases)
  func randomUpdatesMatchTheModel(_ quantization: CosineIndexQuantization) throws {
    let d = 10
    var g = SeededGenerator(seed: 42)
    let first = randomTensor([120, d], seed: 7, as: Float.self)
    var index = try CosineIndexFile(first, quantization: quantization)
    var model = IndexModel(first)
    let q = randomTensor([3, d], seed: 8, as: Float.self)
    var nextSeed: UInt64 = 100
    for step in 0..<12 {
      switch g.next() % 3 {
      case 0:  // add rows with fresh (shuffled) ids, or with default ids
        let n = Int(g.next() % 40) + 1
        let rowsT = randomTensor([n, d], seed: nextSeed, as: Float.self)
        nextSeed += 1
        if g.next() % 2 == 0 {
          let ids = (0..<n).map { 10_000 + step * 100 + (($0 * 17) % n) }
          try index.add(rowsT, ids: ids)
          for r in 0..<n { model.rows[ids[r]] = Array(rowsT.scalars[r * d..<(r + 1) * d]) }
        } else {
          let start = (model.rows.keys.max() ?? -1) + 1
          try index.add(rowsT)
          for r in 0..<n { model.rows[start + r] = Array(rowsT.scalars[r * d..<(r + 1) * d]) }
        }
      case 1:  // remove some live ids and an unknown one
        let live = model.rows.keys.sorted()
        let victims = (0..<5).map { _ in live[Int(g.next() % UInt64(live.count))] }
        let removed = try index.remove(ids: victims + [-5])
        #expect(removed == Set(victims).count)
        for v in victims { model.rows[v] = nil }
      default:
        index.compact()
        #expect(index.segmentCount <= 1 && index.removedCount == 0)
      }
      #expect(index.count == model.rows.count)
      #expect(index.ids == model.rows.keys.sorted())
      let want = try model.topK(q, k: 15)
      let r = try index.search(q, k: 15)
      #expect(rows(r).indices == want.ids, "step \(step)")
      #expect(sameBits(rows(r).scores, want.scores))
    }
    // Duplicate ids are errors, and change nothing.
    let live = model.rows.keys.sorted()
    let one = randomTensor([2, d], seed: 999, as: Float.self)
    #expect(throws: CosineError.self) { try index.add(one, ids: [live[0], 777_777]) }
    #expect(throws: CosineError.self) { try index.add(one, ids: [888_888, 888_888]) }
    #expect(index.count == model.rows.count)
    // A removed id may come back.
    try index.remove(ids: [live[0]])
    try index.add(try Tensor(shape: [1, d], scalars: Array(one.scalars[0..<d])), ids: [live[0]])
    model.rows[live[0]] = Array(one.scalars[0..<d])
    #expect(rows(try index.search(q, k: 15)).indices == (try model.topK(q, k: 15)).ids)
  }

  @Test(arguments: CosineIndexQuantization.allCases)
  func filtersGiveTheExactTopKAmongPassingRows(_ quantization: CosineIndexQuantization) throws {
    let d = 16
    var c = randomTensor([3000, d], seed: 11, as: Float.self)
    c = withDuplicatedRows(c, [(10, 20), (10, 2900)])
    let ids = (0..<3000).map { 3 * $0 + 1 }
    var index = try CosineIndexFile(c, ids: ids, quantization: quantization)
    var model = IndexModel(c, ids: ids)
    try index.add(randomTensor([100, d], seed: 12, as: Float.self), ids: Array(20_000..<20_100))
    let added = randomTensor([100, d], seed: 12, as: Float.self)
    for r in 0..<100 { model.rows[20_000 + r] = Array(added.scalars[r * d..<(r + 1) * d]) }
    try index.remove(ids: [31, 61, 20_050])
    for v in [31, 61, 20_050] { model.rows[v] = nil }
    var q = randomTensor([4, d], seed: 13, as: Float.self)
    for j in 0..<d { q.scalars[j] = c.scalars[10 * d + j] }
    let allow = Set([31, 61, 91, 94, 20_001, 20_050, 7] + (0..<40).map { 3 * $0 * 37 + 1 })
    let deny = Set((0..<500).map { 3 * $0 * 5 + 1 } + [61])
    let filters: [(CosineIndexFilter, (Int) -> Bool, String)] = [
      (.allowing(allow), { allow.contains($0) }, "allow"),
      (.denying(deny), { !deny.contains($0) }, "deny"),
      (.matching { $0 % 2 == 0 }, { $0 % 2 == 0 }, "predicate"),
      (.allowing([]), { _ in false }, "empty"),
      (.denying([]), { _ in true }, "none denied"),
    ]
    for nq in [1, 4] {
      let qs = try Tensor<Float>(shape: [nq, d], scalars: Array(q.scalars[0..<nq * d]))
      for (f, passes, name) in filters {
        let want = try model.topK(qs, k: 10, passing: passes)
        let r = try index.search(qs, k: 10, filter: f)
        #expect(rows(r).indices == want.ids, "\(name) nq \(nq)")
        #expect(sameBits(rows(r).scores, want.scores), "\(name)")
      }
    }
    // Filters on an index built without ids work on row numbers.
    let plain = try CosineIndexFile(c)
    let r = try plain.search(q, k: 5, filter: .allowing([5, 6, 7, 2999]))
    #expect(Set(r.indices).isSubset(of: [5, 6, 7, 2999]) && r.k == 4)
    _ = model
  }

  @Test func binaryRescoreIsApproximateButRescoresExactly() throws {
    let d = 32
    let c = randomTensor([2000, d], seed: 31, as: Float.self)
    let index = try CosineIndexFile(c, quantization: .binary)
    let q = randomTensor([5, d], seed: 32, as: Float.self)
    let exact = try IndexModel(c).topK(q, k: 10)
    let all = try index.search(q, k: 10, filter: nil, rescore: 200)  // 2000 candidates: every row
    #expect(rows(all).indices == exact.ids)
    let few = try index.search(q, k: 10, filter: nil, rescore: 4)
    // Every returned score is the exact score of that id, and the list is sorted.
    let m = try cosineSimilarityMatrix(q, c)
    for qi in 0..<5 {
      let hits = few.hits(forQuery: qi)
      for h in hits { #expect(h.score.bitPattern == m.scalars[qi * 2000 + h.index].bitPattern) }
      #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
    }
    #expect(throws: CosineError.self) { try index.search(q, k: 10, filter: nil, rescore: 0) }
  }
}
