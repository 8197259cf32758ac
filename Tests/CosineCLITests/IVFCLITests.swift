import CosineKit
import Foundation
import Testing

/// `cosine index build --ivf`, `search --nprobe`, `index tune`, and IVF shards merged, end to end.
@Suite(.serialized) struct IVFCLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-ivf")

  func ok(_ r: CLIResult, _ what: String) {
    #expect(r.status == 0, "\(what): \(r.stderr)")
  }

  @Test func ivfShardsProbingEveryListMergeIntoTheExactSearch() throws {
    let corpus = random(900, 12, seed: 21)
    let queries = random(12, 12, seed: 22)
    let q = try save(queries, "q.npy")
    let whole = try save(corpus, "whole.npy")
    ok(
      try run(["search", "--corpus", whole, "--queries", q, "--top-k", "7", "--indices", dir + "/wi.npy"]), "whole")
    let s0 = try save(rows(corpus, 0..<400), "s0.npy")
    let s1 = try save(rows(corpus, 400..<900), "s1.npy")
    let b0 = try run(["index", "build", s0, "-o", dir + "/s0.idx", "--ivf", "8", "--quantize", "int8", "--seed", "4"])
    ok(b0, "build 0")
    #expect(b0.stdout.contains("8 lists"))
    ok(
      try run([
        "index", "build", s1, "-o", dir + "/s1.idx", "--ivf", "10", "--ids", try saveIDs(Array(400..<900), "i1.npy"),
        "--train-sample", "0",
      ]), "build 1")
    ok(
      try run([
        "search", "--index", dir + "/s0.idx", "--queries", q, "--top-k", "7", "--nprobe", "8", "--partial",
        dir + "/p0.npz",
      ]), "p0")
    ok(
      try run([
        "search", "--index", dir + "/s1.idx", "--queries", q, "--top-k", "7", "--nprobe", "10", "--partial",
        dir + "/p1.npz",
      ]), "p1")
    ok(
      try run(["merge", dir + "/p0.npz", dir + "/p1.npz", "--top-k", "7", "--indices", dir + "/mi.npy"]), "merge")
    #expect(try NPY.readIDs(contentsOf: dir + "/mi.npy") == (try NPY.readIDs(contentsOf: dir + "/wi.npy")))
    // Fewer lists: the library's search of the same file.
    ok(
      try run([
        "search", "--index", dir + "/s1.idx", "--queries", q, "--top-k", "5", "--nprobe", "2", "--indices",
        dir + "/n2.npy",
      ]), "nprobe 2")
    let lib = try CosineIndexFile(mapping: dir + "/s1.idx").search(queries, k: 5, nprobe: 2)
    #expect(try NPY.readIDs(contentsOf: dir + "/n2.npy") == lib.indices)
    let info = try run(["index", "info", dir + "/s1.idx"])
    #expect(info.stdout.contains("version 2") && info.stdout.contains("lists: 10") && info.stdout.contains("imbalance"))
    let tune = try run(["index", "tune", dir + "/s1.idx", "--queries", q, "--target-recall", "0.9"])
    ok(tune, "tune")
    #expect(tune.stdout.contains("recommended: --nprobe") && tune.stdout.contains("\n10\t1.0000\t"))
  }

  @Test func badIVFArgumentsFailWithOneLine() throws {
    let c = try save(random(30, 4, seed: 23), "c.npy")
    let q = try save(random(2, 4, seed: 24), "q.npy")
    for (args, needle) in [
      (["index", "build", c, "-o", dir + "/x.idx", "--ivf", "31"], "31"),
      (["index", "build", c, "-o", dir + "/x.idx", "--ivf", "0"], "--ivf"),
      (["index", "build", c, "-o", dir + "/x.idx", "--ivf", "4", "--quantize", "binary"], "binary"),
      (["index", "build", c, "-o", dir + "/x.idx", "--train-sample", "10"], "--ivf"),
    ] {
      let r = try run(args)
      #expect(r.status != 0 && r.stderr.contains(needle), "\(args): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dir + "/x.idx"))
    }
    ok(try run(["index", "build", c, "-o", dir + "/flat.idx"]), "flat")
    let np = try run(["search", "--index", dir + "/flat.idx", "--queries", q, "--nprobe", "2"])
    #expect(np.status != 0 && np.stderr.contains("inverted-file"))
    let tune = try run(["index", "tune", dir + "/flat.idx", "--queries", q])
    #expect(tune.status != 0 && tune.stderr.contains("inverted-file"))
    let corpusNprobe = try run(["search", "--corpus", c, "--queries", q, "--nprobe", "2"])
    #expect(corpusNprobe.status != 0 && corpusNprobe.stderr.contains("--nprobe"))
  }
}
