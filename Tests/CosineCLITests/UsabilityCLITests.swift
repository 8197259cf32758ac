import CosineKit
import CosineTestSupport
import Foundation
import Testing

/// What a new user meets first: the version, short and mistyped options, notes about result
/// counts, errors that blame the right file, and the tables' headers.
@Suite(.serialized) struct UsabilityCLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-usability")

  @Test func versionIsPrinted() throws {
    let r = try run(["--version"])
    #expect(r.status == 0 && r.stdout.split(separator: ".").count == 3, "\(r.stdout)")
  }

  @Test func shortTopKAndSuggestions() throws {
    let c = try save(random(20, 4, seed: 1), "c.npy")
    let q = try save(random(2, 4, seed: 2), "q.npy")
    let long = try run(["search", "--corpus", c, "--queries", q, "--top-k", "3", "--format", "tsv"])
    let short = try run(["search", "--corpus", c, "--queries", q, "-k", "3", "--format", "tsv"])
    #expect(long.status == 0 && short.stdout == long.stdout)
    #expect(try run(["mine", c, "-k", "2"]).status == 0)
    for wrong in ["--k", "--topk", "--top_k"] {
      let r = try run(["search", "--corpus", c, "--queries", q, wrong, "3"])
      #expect(r.status == 64, "\(wrong)")
      #expect(r.stderr.contains("Did you mean '--top-k'?"), "\(wrong): \(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count == 1)
    }
    let q8 = try run(["index", "build", c, "-o", path("x.idx"), "--quantise", "int8"])
    #expect(q8.stderr.contains("Did you mean '--quantize'?"), "\(q8.stderr)")
  }

  @Test func fewerRowsThanTopKIsNotedOnce() throws {
    let c = try save(random(5, 4, seed: 3), "c5.npy")
    let empty = try save(try Tensor<Float>(shape: [0, 4], scalars: []), "empty.npy")
    let q = try save(random(2, 4, seed: 4), "q2.npy")
    let many = try run(["search", "--corpus", c, "--queries", q, "--top-k", "50", "--format", "tsv"])
    #expect(many.status == 0)
    #expect(many.stderr == "cosine: note: --top-k 50 is more than the 5 rows of \(c); returning 5 per query\n")
    #expect(many.stdout.split(separator: "\n").count == 1 + 2 * 5)
    let none = try run([
      "search", "--corpus", empty, "--queries", q, "--indices", path("i.npy"), "--scores", path("s.npy"),
    ])
    #expect(none.status == 0)
    #expect(none.stderr == "cosine: note: \(empty) has no rows; every query has 0 results\n")
    #expect(try NPY.read(contentsOf: path("s.npy")).shape == [2, 0])
    let exact = try run(["search", "--corpus", c, "--queries", q, "--top-k", "5"])
    #expect(exact.status == 0 && exact.stderr.isEmpty)
  }

  @Test func duplicateIdsNameTheIdsFileAndBothRows() throws {
    let c = try save(random(5, 4, seed: 5), "c.npy")
    let ids = try saveIDs([1, 2, 3, 1, 4], "dup.npy")
    let r = try run(["index", "build", c, "--ids", ids, "-o", path("d.idx")])
    #expect(r.status != 0)
    #expect(r.stderr == "cosine: \(ids): duplicate id 1 at rows 0 and 3\n", "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("d.idx")))
  }

  @Test func mineTableHasAHeader() throws {
    let c = try save(random(30, 4, seed: 6), "m.npy")
    let r = try run(["mine", c, "--top-k", "2", "--max-pairs", "3"])
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.first == "rank\tfirst\tsecond\tscore")
    #expect(lines.count == 4 && lines[1].hasPrefix("1\t"))
  }
}
