import CosineKit
import Foundation
import Testing

/// `cosine index`, `cosine search --index` with filters and `--partial`, and `cosine merge`, end to end.
@Suite(.serialized) struct IndexCLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-index")

  func ok(_ r: CLIResult, _ what: String) {
    #expect(r.status == 0, "\(what): \(r.stderr)")
  }

  @Test(arguments: ["none", "int8", "binary"])
  func indexSearchEqualsCorpusSearchAndReturnsIds(_ quantize: String) throws {
    let corpus = random(700, 16, seed: 1)
    let c = try save(corpus, "c.npy")
    let q = try save(random(4, 16, seed: 2), "q.npy")
    let ids = (0..<700).map { 1_000_000_000_000 + 3 * (699 - $0) }  // beyond 2^53 / 2^32, decreasing
    let idp = try saveIDs(ids, "ids.npy")
    let idx = dir + "/c-\(quantize).idx"
    ok(try run(["index", "build", c, "-o", idx, "--ids", idp, "--quantize", quantize]), "build")
    ok(
      try run([
        "search", "--corpus", c, "--queries", q, "--top-k", "6", "--indices", dir + "/ci.npy", "--scores",
        dir + "/cs.npy",
      ]), "corpus")
    ok(
      try run([
        "search", "--index", idx, "--queries", q, "--top-k", "6", "--indices", dir + "/xi.npy", "--scores",
        dir + "/xs.npy",
      ]), "index")
    let rows = try NPY.read(contentsOf: dir + "/ci.npy").converted(to: Double.self).scalars.map { Int($0) }
    let got = try NPY.readIDs(contentsOf: dir + "/xi.npy")
    #expect(got == rows.map { ids[$0] })
    #expect(try NPY.read(contentsOf: dir + "/cs.npy") == (try NPY.read(contentsOf: dir + "/xs.npy")))
    let info = try run(["index", "info", idx])
    #expect(info.stdout.contains("rows: 700") && info.stdout.contains("quantization: \(quantize)"))
  }

  @Test func addRemoveAndFiltersUpdateTheFile() throws {
    let corpus = random(300, 8, seed: 3)
    let c = try save(corpus, "c.npy")
    let idx = dir + "/u.idx"
    ok(try run(["index", "build", c, "-o", idx, "--quantize", "int8"]), "build")
    let extra = random(20, 8, seed: 4)
    ok(
      try run(["index", "add", idx, try save(extra, "extra.npy"), "--ids", try saveIDs(Array(500..<520), "eids.npy")]),
      "add")
    let dup = try run([
      "index", "add", idx, try save(rows(extra, 0..<1), "one.npy"), "--ids", try saveIDs([7], "dup.npy"),
    ])
    #expect(dup.status != 0 && dup.stderr.contains("7") && dup.stderr.split(separator: "\n").count == 1)
    ok(try run(["index", "remove", idx, "--ids", try saveIDs([0, 1, 505, 12345], "rm.npy")]), "remove")
    let info = try run(["index", "info", idx])
    #expect(info.stdout.contains("rows: 317"), "\(info.stdout)")
    // Search against the library model of the same rows.
    var model = try CosineIndexFile(corpus, quantization: .none)
    try model.add(extra, ids: Array(500..<520))
    try model.remove(ids: [0, 1, 505])
    let queries = random(3, 8, seed: 5)
    let q = try save(queries, "q.npy")
    let allow = [2, 3, 4, 500, 501, 505, 999]
    for (flag, list, filter) in [
      ("--allow-ids", allow, CosineIndexFilter.allowing(allow)), ("--deny-ids", [2, 3, 510], .denying([2, 3, 510])),
    ] {
      let r = try run([
        "search", "--index", idx, "--queries", q, "--top-k", "5", flag, try saveIDs(list, "f.npy"), "--indices",
        dir + "/fi.npy",
      ])
      ok(r, flag)
      let want = try model.search(queries, k: 5, filter: filter)
      #expect(try NPY.readIDs(contentsOf: dir + "/fi.npy") == want.indices, "\(flag)")
    }
    let both = try run([
      "search", "--index", idx, "--queries", q, "--allow-ids", dir + "/f.npy", "--deny-ids", dir + "/f.npy",
    ])
    #expect(both.status != 0)
    let rescore = try run(["search", "--index", idx, "--queries", q, "--rescore", "4"])
    #expect(rescore.status != 0 && rescore.stderr.contains("binary"))
  }

  @Test func partialResultsMergeIntoTheUnshardedSearch() throws {
    var corpus = random(400, 12, seed: 6)
    for j in 0..<12 { corpus[350, j] = corpus[30, j] }  // a tie across shards
    var queries = random(5, 12, seed: 7)
    for j in 0..<12 { queries[0, j] = corpus[30, j] }
    let q = try save(queries, "q.npy")
    let whole = try save(corpus, "whole.npy")
    ok(
      try run([
        "search", "--corpus", whole, "--queries", q, "--top-k", "7", "--indices", dir + "/wi.npy", "--scores",
        dir + "/ws.npy",
      ]), "whole")
    // Shard 0 as an index file with ids, shard 1 as a plain corpus (global row ids via --ids).
    let s0 = try save(rows(corpus, 0..<150), "s0.npy")
    let s1 = try save(rows(corpus, 150..<400), "s1.npy")
    ok(try run(["index", "build", s0, "-o", dir + "/s0.idx", "--quantize", "int8"]), "build 0")
    ok(
      try run(["index", "build", s1, "-o", dir + "/s1.idx", "--ids", try saveIDs(Array(150..<400), "i1.npy")]),
      "build 1")
    ok(
      try run(["search", "--index", dir + "/s0.idx", "--queries", q, "--top-k", "7", "--partial", dir + "/p0.npz"]),
      "p0")
    ok(
      try run(["search", "--index", dir + "/s1.idx", "--queries", q, "--top-k", "7", "--partial", dir + "/p1.npz"]),
      "p1")
    let m = try run([
      "merge", dir + "/p1.npz", dir + "/p0.npz", "--top-k", "7", "--indices", dir + "/mi.npy", "--scores",
      dir + "/ms.npy",
    ])
    ok(m, "merge")
    #expect(m.stdout.isEmpty)
    #expect(try NPY.readIDs(contentsOf: dir + "/mi.npy") == (try NPY.readIDs(contentsOf: dir + "/wi.npy")))
    #expect(try NPY.read(contentsOf: dir + "/ms.npy") == (try NPY.read(contentsOf: dir + "/ws.npy")))
    #expect(Array(try NPY.readIDs(contentsOf: dir + "/mi.npy")[0..<2]) == [30, 350])
    // A corrupt part is named.
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/bad.npz"))
    let bad = try run(["merge", dir + "/p0.npz", dir + "/bad.npz", "--top-k", "3", "--indices", dir + "/bi.npy"])
    #expect(bad.status != 0 && bad.stderr.contains("bad.npz"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/bi.npy"))
  }

  @Test func brokenIndexFilesFailWithOneLine() throws {
    let idx = dir + "/b.idx"
    ok(try run(["index", "build", try save(random(50, 4, seed: 8), "c.npy"), "-o", idx]), "build")
    var bytes = try Data(contentsOf: URL(fileURLWithPath: idx))
    bytes[100] ^= 1
    try bytes.write(to: URL(fileURLWithPath: dir + "/flip.idx"))
    try bytes.prefix(5000).write(to: URL(fileURLWithPath: dir + "/short.idx"))
    let q = try save(random(1, 4, seed: 9), "q.npy")
    for (file, words) in [("flip.idx", "checksum"), ("short.idx", "truncated"), ("missing.idx", "no such file")] {
      let r = try run(["search", "--index", dir + "/" + file, "--queries", q, "--indices", dir + "/o.npy"])
      #expect(r.status != 0 && r.stderr.contains(file) && r.stderr.contains(words), "\(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count == 1)
    }
    let wrongD = try run(["search", "--index", idx, "--queries", try save(random(1, 5, seed: 1), "q5.npy")])
    #expect(wrongD.status != 0 && wrongD.stderr.contains("dimension"))
  }
}
