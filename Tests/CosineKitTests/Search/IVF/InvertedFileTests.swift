import Foundation
import Testing

import CosineCore
import CosineKit
import CosineSearch

/// Inverted-file indexes: the probed lists' rows ranked exactly, every list probed equal to the
/// exact search, updates, filters and files.
@Suite struct InvertedFileTests {
  let dir: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("cosine-ivf-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  /// `n` rows around `centers` random centers (seeded), with a few exact duplicates (ties).
  func clustered(_ n: Int, _ d: Int, centers: Int, seed: UInt64) -> Tensor<Float> {
    let c = randomTensor([centers, d], seed: seed, as: Float.self)
    let noise = randomTensor([n, d], seed: seed + 1, as: Float.self)
    var x = [Float](repeating: 0, count: n * d)
    for r in 0..<n {
      let k = (r * 7919) % centers
      for j in 0..<d { x[r * d + j] = c.scalars[k * d + j] + 0.35 * noise.scalars[r * d + j] }
    }
    var t = try! Tensor(shape: [n, d], scalars: x)
    t = withDuplicatedRows(t, [(3, 40), (3, 41), (7, n - 1), (11, 12)])
    return t
  }

  /// The rows of `a`, then those of `b`.
  func stacked(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Tensor<Float> {
    try! Tensor(shape: [a.shape[0] + b.shape[0], a.shape[1]], scalars: a.scalars + b.scalars)
  }

  /// The list of every row of `corpus` under `index`'s centroids (best centroid, lower list on ties).
  func lists(_ index: CosineIndexFile, _ rows: Tensor<Float>) throws -> [Int] {
    try CosineIndex(index.centroids!).search(rows, k: 1).indices
  }

  /// Brute force over the rows of each query's `nprobe` best lists: a flat index searched with an
  /// allow filter per query.
  func bruteForce(
    _ index: CosineIndexFile, corpus: Tensor<Float>, ids: [Int], queries: Tensor<Float>, k: Int, nprobe: Int,
    allowed: Set<Int>? = nil
  ) throws -> CosineSearchResults<Float> {
    let flat = try CosineIndexFile(corpus, ids: ids)
    let rowList = try lists(index, corpus)
    let probes = try CosineIndex(index.centroids!).search(queries, k: nprobe)
    var indices: [Int] = []
    var scores: [Float] = []
    var kk = k
    for q in 0..<queries.shape[0] {
      let probed = Set(probes.indices[q * probes.k..<(q + 1) * probes.k])
      let pass = Set(
        ids.indices.filter { probed.contains(rowList[$0]) && (allowed?.contains(ids[$0]) ?? true) }.map { ids[$0] })
      let r = try flat.search(queries[q].reshaped([1, queries.shape[1]]), k: k, filter: .allowing(pass))
      kk = r.k
      indices += r.indices
      scores += r.scores
    }
    return try CosineSearchResults(queryCount: queries.shape[0], k: kk, indices: indices, scores: scores)
  }

  @Test(arguments: [3, 200]) func everyListProbedEqualsExactSearch(queries nq: Int) throws {
    let corpus = clustered(3000, 24, centers: 40, seed: 500)
    let ids = (0..<3000).map { 5 * $0 + 1 }
    let ivf = try CosineIndexFile(corpus, ids: ids, invertedFile: .init(lists: 32, seed: 3))
    let flat = try CosineIndexFile(corpus, ids: ids)
    // Queries that are corpus rows tie with their duplicates.
    let q = stacked(corpus.gatheringRows([3, 7, 11]), randomTensor([nq, 24], seed: 501, as: Float.self))
    for k in [1, 10, 70] {
      let exact = try flat.search(q, k: k)
      #expect(try ivf.search(q, k: k, nprobe: 32) == exact)
      #expect(try ivf.search(q, k: k) == exact)
    }
  }

  @Test(arguments: [2, 150]) func probedListsRankExactly(queries nq: Int) throws {
    let corpus = clustered(2500, 16, centers: 30, seed: 510)
    let ids = Array(0..<2500)
    let index = try CosineIndexFile(corpus, ids: ids, quantization: .int8, invertedFile: .init(lists: 25, seed: 1))
    let q = randomTensor([nq, 16], seed: 511, as: Float.self)
    for (k, nprobe) in [(10, 1), (10, 4), (5, 9)] {
      let got = try index.search(q, k: k, nprobe: nprobe)
      let want = try bruteForce(index, corpus: corpus, ids: ids, queries: q, k: k, nprobe: nprobe)
      if want.k == k { #expect(got == want) }
    }
  }

  @Test func aFewQueriesProbeTheListsABatchProbes() throws {
    let corpus = clustered(3000, 40, centers: 50, seed: 600)
    let index = try CosineIndexFile(corpus, invertedFile: .init(lists: 64))
    let ivf = try #require(index.table.ivf)
    // Rows of the corpus (ties between centroids are rare but scores repeat across queries).
    let q = stacked(corpus.gatheringRows(Array(0..<40)), randomTensor([40, 40], seed: 601, as: Float.self))
    let batch = try ivf.probes(q, count: 9)
    let one = try q.scalars.withUnsafeBufferPointer { p in
      try (0..<80).map { try ivf.probes(one: p.baseAddress! + $0 * 40, count: 9) }
    }
    for i in 0..<80 { #expect(one[i] == Array(batch[i * 9..<(i + 1) * 9]), "query \(i)") }
  }

  @Test func listSizesCoverEveryRowAndTrainingIsSeeded() throws {
    let corpus = clustered(2000, 12, centers: 20, seed: 520)
    let a = try CosineIndexFile(corpus, invertedFile: .init(lists: 20, trainingSampleSize: 600, seed: 9))
    let b = try CosineIndexFile(corpus, invertedFile: .init(lists: 20, trainingSampleSize: 600, seed: 9))
    #expect(a.listCount == 20)
    #expect(a.listSizes.reduce(0, +) == 2000)
    #expect(a.listSizes == b.listSizes)
    #expect(a.centroids == b.centroids)
    // Each row is in the list of its best centroid.
    let rowList = try lists(a, corpus)
    var counts = [Int](repeating: 0, count: 20)
    for l in rowList { counts[l] += 1 }
    #expect(counts == a.listSizes)
  }

  @Test func addRemoveAndFiltersMatchBruteForce() throws {
    let corpus = clustered(2400, 16, centers: 24, seed: 530)
    var index = try CosineIndexFile(
      corpus.gatheringRows(Array(0..<2000)), ids: Array(0..<2000), quantization: .int8,
      invertedFile: .init(lists: 16, seed: 2))
    for part in 0..<4 {
      let rows = Array(2000 + part * 100..<2100 + part * 100)
      try index.add(corpus.gatheringRows(rows), ids: rows)
    }
    #expect(index.count == 2400)
    let removed = Array(stride(from: 0, to: 2400, by: 7))
    index.remove(ids: removed)
    let live = (0..<2400).filter { $0 % 7 != 0 }
    let q = stacked(corpus.gatheringRows([14, 15]), randomTensor([120, 16], seed: 531, as: Float.self))
    let allowed = Set(live.filter { $0 % 3 != 0 })
    for nprobe in [3, 16] {
      let want = try bruteForce(
        index, corpus: corpus.gatheringRows(live), ids: live, queries: q, k: 8, nprobe: nprobe)
      #expect(try index.search(q, k: 8, nprobe: nprobe) == want)
      let wantFiltered = try bruteForce(
        index, corpus: corpus.gatheringRows(live), ids: live, queries: q, k: 8, nprobe: nprobe, allowed: allowed)
      #expect(try index.search(q, k: 8, nprobe: nprobe, filter: .allowing(allowed)) == wantFiltered)
      #expect(
        try index.search(q.gatheringRows([0, 1]), k: 8, nprobe: nprobe, filter: .matching { $0 % 3 != 0 })
          == (try bruteForce(
            index, corpus: corpus.gatheringRows(live), ids: live, queries: q.gatheringRows([0, 1]), k: 8,
            nprobe: nprobe, allowed: allowed)))
    }
    // A live id among many new ones (looked up through the set of new ids) is refused, naming it.
    #expect {
      try index.add(corpus.gatheringRows(Array(0..<200)), ids: Array(5000..<5199) + [8])
    } throws: { "\($0)".contains("id 8 is already in the index") }
    // Compaction changes no result.
    let before = try index.search(q, k: 8, nprobe: 5)
    index.compact()
    #expect(index.removedCount == 0 && index.count == live.count)
    #expect(try index.search(q, k: 8, nprobe: 5) == before)
    // A removed id may come back; a live one may not.
    try index.add(corpus.gatheringRows([7]), ids: [7])
    #expect(throws: CosineError.self) { try index.add(corpus.gatheringRows([8]), ids: [8]) }
  }

  @Test func listsLongerThanAScratchBlockRankExactly() throws {
    // D = 384: a list of ~750 rows spans several 512 KiB blocks of rebuilt panels.
    let corpus = clustered(1500, 384, centers: 2, seed: 590)
    let ids = Array(0..<1500)
    let index = try CosineIndexFile(corpus, ids: ids, invertedFile: .init(lists: 2))
    let q = stacked(corpus.gatheringRows([3, 7]), randomTensor([40, 384], seed: 591, as: Float.self))
    for nprobe in [1, 2] {
      #expect(
        try index.search(q, k: 12, nprobe: nprobe)
          == (try bruteForce(index, corpus: corpus, ids: ids, queries: q, k: 12, nprobe: nprobe)))
    }
  }

  @Test func tiesAcrossSegmentsRankByLowerId() throws {
    let corpus = clustered(1200, 12, centers: 12, seed: 580)
    var index = try CosineIndexFile(corpus, ids: Array(100..<1300), invertedFile: .init(lists: 8))
    // Copies of rows 5…24 with lower ids land in later segments of the same lists.
    let copied = Array(5..<25)
    try index.add(corpus.gatheringRows(copied), ids: copied.map { $0 - 5 })
    let flat = try CosineIndexFile(
      stacked(corpus, corpus.gatheringRows(copied)), ids: Array(100..<1300) + copied.map { $0 - 5 })
    for q in [corpus.gatheringRows(copied), corpus.gatheringRows(Array(5..<8))] {
      for k in [1, 2, 3] {
        let r = try index.search(q, k: k, nprobe: 2)
        #expect(r == (try flat.search(q, k: k)))
        #expect(r.indices[0] == 0)
      }
    }
  }

  @Test func fewerRowsInTheProbedListsThanKProbeFurther() throws {
    let corpus = clustered(600, 8, centers: 12, seed: 540)
    let index = try CosineIndexFile(corpus, invertedFile: .init(lists: 12))
    let q = randomTensor([5, 8], seed: 541, as: Float.self)
    let r = try index.search(q, k: 200, nprobe: 1)
    #expect(r.k == 200)
    for i in 0..<5 { #expect(Set(r.indices[i * 200..<(i + 1) * 200]).count == 200) }
  }

  @Test func filesKeepListsThroughAppendsAndCompaction() throws {
    let corpus = clustered(3000, 20, centers: 30, seed: 550)
    let path = dir + "/ivf.cosidx"
    let index = try CosineIndexFile(
      corpus.gatheringRows(Array(0..<2500)), quantization: .int8, invertedFile: .init(lists: 24))
    try index.save(to: path)
    let q = randomTensor([40, 20], seed: 551, as: Float.self)
    var mapped = try CosineIndexFile(mapping: path)
    #expect(mapped.listCount == 24 && mapped.listSizes == index.listSizes && mapped.centroids == index.centroids)
    #expect(try mapped.search(q, k: 6, nprobe: 4) == (try index.search(q, k: 6, nprobe: 4)))
    // Appended in place: the file grows, the first header slot is kept.
    let size0 = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    try mapped.add(corpus.gatheringRows(Array(2500..<3000)), ids: Array(2500..<3000))
    mapped.remove(ids: [1, 2, 3, 2600])
    try mapped.save(to: path)
    let size1 = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    #expect(size1 > size0)
    let reopened = try CosineIndexFile(mapping: path)
    #expect(reopened.count == 2996 && reopened.removedCount == 4)
    #expect(try reopened.search(q, k: 6, nprobe: 4) == (try mapped.search(q, k: 6, nprobe: 4)))
    #expect(
      try reopened.search(q, k: 6, nprobe: 24)
        == (try CosineIndexFile(
          corpus.gatheringRows((0..<3000).filter { ![1, 2, 3, 2600].contains($0) }),
          ids: (0..<3000).filter { ![1, 2, 3, 2600].contains($0) }
        ).search(q, k: 6)))
    var compacted = reopened
    compacted.compact()
    try compacted.save(to: path)
    #expect(try CosineIndexFile(mapping: path).search(q, k: 6, nprobe: 4) == (try mapped.search(q, k: 6, nprobe: 4)))
  }

  @Test func corruptDirectoriesAndBadOptionsAreErrors() throws {
    let corpus = clustered(500, 8, centers: 10, seed: 560)
    let path = dir + "/c.cosidx"
    try CosineIndexFile(corpus, invertedFile: .init(lists: 10)).save(to: path)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bytes.count - 30] ^= 0xff  // inside the directory, the last block
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect {
      try CosineIndexFile(mapping: path)
    } throws: { "\($0)".contains("directory checksum mismatch") }
    #expect(throws: CosineError.self) { try CosineIndexFile(corpus, invertedFile: .init(lists: 501)) }
    #expect(throws: CosineError.self) {
      try CosineIndexFile(corpus, quantization: .binary, invertedFile: .init(lists: 4))
    }
    let index = try CosineIndexFile(corpus, invertedFile: .init(lists: 10))
    #expect(throws: CosineError.self) { try index.search(corpus, k: 3, nprobe: 0) }
  }

  @Test func tuningReportsRecallAgainstTheExactSearch() throws {
    let corpus = clustered(2000, 16, centers: 20, seed: 570)
    let index = try CosineIndexFile(corpus, invertedFile: .init(lists: 16))
    let q = randomTensor([50, 16], seed: 571, as: Float.self)
    let points = try index.tune(queries: q, k: 10)
    #expect(points.map(\.nprobe) == [1, 2, 4, 8, 16])
    #expect(points.last!.recall == 1)
    #expect(zip(points, points.dropFirst()).allSatisfy { $0.recall <= $1.recall + 1e-12 })
    #expect(points.allSatisfy { $0.queriesPerSecond > 0 })
  }
}
