import CosineKit
import Foundation
import Testing

/// `cosine search` with shards and output formats, and `cosine matrix`, end to end.
@Suite(.serialized) struct SearchCLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-search")

  @Test func shardsGiveTheUnshardedResultWithGlobalIds() throws {
    var corpus = random(300, 9, seed: 1)
    corpus[250] = corpus[20]  // a tie across shards
    var q = random(5, 9, seed: 2)
    q[0] = corpus[20]
    let whole = try save(corpus, "c.npy")
    let qp = try save(q, "q.npy")
    let s1 = try save(rows(corpus, 0..<100), "c1.npy")
    let s2 = try save(rows(corpus, 100..<300), "c2.npy")
    let a = try run([
      "search", "--corpus", whole, "--queries", qp, "--top-k", "4", "--indices", dir + "/i1.npy", "--scores",
      dir + "/s1.npy",
    ])
    let b = try run([
      "search", "--corpus", s1, "--corpus", s2, "--queries", qp, "--top-k", "4", "--indices", dir + "/i2.npy",
      "--scores", dir + "/s2.npy",
    ])
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    #expect(a.stdout.isEmpty && b.stdout.isEmpty && b.stderr.isEmpty)
    let i1 = try NPY.read(contentsOf: dir + "/i1.npy")
    let i2 = try NPY.read(contentsOf: dir + "/i2.npy")
    #expect(i1 == i2)
    #expect(try NPY.read(contentsOf: dir + "/s1.npy") == (try NPY.read(contentsOf: dir + "/s2.npy")))
    let (want, _) = try topKSearch(queries: q, corpus: corpus, k: 4)
    #expect(i1 == AnyTensor(Tensor<Double>(want.map { $0.map(Double.init) })))
    #expect(Array(want[0].prefix(2)) == [20, 250])
  }

  @Test func jsonLinesAndTsvOnStandardOutput() throws {
    let corpus = try Tensor<Float>(rows: [[1, 0], [0, 1], [1, 1], [-1, 0]])
    let c = try save(corpus, "c.npy")
    let q = try save(try Tensor<Float>(rows: [[1, 0.1], [0, -1]]), "q.npy")
    let j = try run(["search", "--corpus", c, "--queries", q, "--top-k", "2", "--format", "json"])
    #expect(j.status == 0, "\(j.stderr)")
    let lines = j.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
    #expect(first?["query"] as? Int == 0)
    let results = first?["results"] as? [[String: Any]]
    #expect(results?.map { $0["corpus_id"] as? Int } == [0, 2])
    #expect(abs((results?[0]["score"] as? Double ?? 0) - Double(Float(1 / 1.01.squareRoot()))) < 1e-6)
    let t = try run(["search", "--corpus", c, "--queries", q, "--top-k", "2", "--format", "tsv", "--quiet"])
    let rows = t.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
    #expect(rows.first == ["query", "rank", "corpus_id", "score"])
    // Query 1 scores 0 against rows 0 and 3: equal scores, lower index first.
    #expect(
      rows.dropFirst().map { [$0[0], $0[1], $0[2]] } == [
        ["0", "1", "0"], ["0", "2", "2"], ["1", "1", "0"], ["1", "2", "3"],
      ])
    #expect(t.stderr.isEmpty)
    let table = try run(["search", "--corpus", c, "--queries", q, "--top-k", "1"])
    #expect(table.stdout.hasPrefix("query 0:\n  1\tcorpus 0\tscore "))
  }

  @Test func shardProblemsNameTheFile() throws {
    let q = try save(random(2, 3, seed: 3), "q.npy")
    let good = try save(random(4, 3, seed: 4), "good.npy")
    let wide = try save(random(4, 5, seed: 5), "wide.npy")
    let nan = try save(try Tensor<Float>(rows: [[1, 2, 3], [0, .nan, 1]]), "nan.npy")
    for (args, culprit) in [
      (["--corpus", good, "--corpus", wide], "wide.npy"),
      (["--corpus", good, "--corpus", nan], "nan.npy"),
      (["--corpus", good, "--corpus", dir + "/missing.npy"], "missing.npy"),
    ] {
      let r = try run(["search"] + args + ["--queries", q, "--indices", dir + "/out.npy"])
      #expect(r.status != 0, "\(args)")
      #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(culprit), "\(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dir + "/out.npy"))
    }
    let nanOK = try run([
      "search", "--corpus", good, "--corpus", nan, "--queries", q, "--allow-nonfinite", "--top-k", "6", "--format",
      "tsv",
    ])
    #expect(nanOK.status == 0)
    #expect(nanOK.stdout.split(separator: "\n").last?.hasSuffix("\tnan") == true)
    #expect(try run(["search", "--queries", q]).status != 0)
  }

  /// A corpus of several pieces, read by several threads at once: the first non-finite value in
  /// the file is the one named, whichever thread meets another first; results equal the
  /// library's search.
  @Test func piecesReadInParallelReportTheFirstBadValue() throws {
    let (n, d) = (3_000, 384)  // 4.6 MB of float32: several pieces of 1 MiB
    var x = random(n, d, seed: 8)
    let q = random(4, d, seed: 9)
    let corpus = try save(x, "big.npy")
    let queries = try save(q, "q.npy")
    let r = try run(["search", "--corpus", corpus, "--queries", queries, "--top-k", "5", "--indices", dir + "/i.npy"])
    #expect(r.status == 0, "\(r.stderr)")
    let want = try CosineIndex(x).search(q, k: 5)
    #expect(try NPY.read(contentsOf: dir + "/i.npy") == AnyTensor(want.indexTensor))
    x.scalars[2_900 * d + 7] = .infinity
    x.scalars[1_200 * d + 3] = .nan
    let bad = try save(x, "bad.npy")
    let e = try run(["search", "--corpus", bad, "--queries", queries, "--indices", dir + "/j.npy"])
    #expect(e.status != 0)
    #expect(e.stderr.contains("flat index \(1_200 * d + 3) (index [1200, 3])"), "\(e.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir + "/j.npy"))
  }

  @Test func matrixCommandUsesTheLibraryMatrix() throws {
    let a = random(20, 33, seed: 6)
    let b = random(70, 33, seed: 7)
    let r = try run(["matrix", try save(a, "a.npy"), try save(b, "b.npy"), "-o", dir + "/m.npy"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try NPY.read(contentsOf: dir + "/m.npy") == AnyTensor(try cosineSimilarityMatrix(a, b)))
  }
}
