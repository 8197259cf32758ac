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

  /// Outputs through symbolic links behave like shell redirects: the link is followed (dangling
  /// or not, through chains and relative targets), survives, and leads to the new data; a link
  /// and its target are one file; a loop is one error.
  @Test func outputsThroughSymbolicLinks() throws {
    let c = try save(random(6, 4, seed: 7), "sc.npy")
    let q = try save(random(2, 4, seed: 8), "sq.npy")
    let fm = FileManager.default
    func isLink(_ p: String) -> Bool {
      (try? fm.attributesOfItem(atPath: p)[.type] as? FileAttributeType) == .typeSymbolicLink
    }
    // Dangling: the target is created, the link survives.
    try fm.createSymbolicLink(atPath: path("alias.npy"), withDestinationPath: "made.npy")
    let r = try run(["search", "--corpus", c, "--queries", q, "-k", "2", "--scores", path("alias.npy")])
    #expect(r.status == 0, "\(r.stderr)")
    let made = try NPY.read(contentsOf: path("made.npy"))
    #expect(isLink(path("alias.npy")) && made.shape == [2, 2])
    // Two outputs that are one file through a link: refused, nothing written.
    try fm.createSymbolicLink(atPath: path("y_alias.npy"), withDestinationPath: "y.npy")
    let two = try run([
      "search", "--corpus", c, "--queries", q, "--indices", path("y.npy"), "--scores", path("y_alias.npy"),
    ])
    #expect(two.status != 0 && two.stderr.contains("same file") && two.stderr.split(separator: "\n").count == 1)
    #expect(!fm.fileExists(atPath: path("y.npy")) && isLink(path("y_alias.npy")))
    // An existing target through a chain with a relative hop: replaced, both links kept.
    try fm.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
    _ = fm.createFile(atPath: path("old.npy"), contents: Data("old".utf8))
    try fm.createSymbolicLink(atPath: path("sub/rel.npy"), withDestinationPath: "../old.npy")
    try fm.createSymbolicLink(atPath: path("chain.npy"), withDestinationPath: "sub/rel.npy")
    #expect(try run(["normalize", q, "-o", path("chain.npy")]).status == 0)
    #expect(isLink(path("chain.npy")) && isLink(path("sub/rel.npy")))
    #expect(try NPY.read(contentsOf: path("old.npy")).shape == [2, 4])
    // A link to an input is the input.
    try fm.createSymbolicLink(atPath: path("in_alias.npy"), withDestinationPath: "sq.npy")
    let input = try run(["normalize", q, "-o", path("in_alias.npy")])
    #expect(input.status != 0 && input.stderr.contains("input"))
    // A loop is one line.
    try fm.createSymbolicLink(atPath: path("loop1.npy"), withDestinationPath: "loop2.npy")
    try fm.createSymbolicLink(atPath: path("loop2.npy"), withDestinationPath: "loop1.npy")
    let loop = try run(["normalize", q, "-o", path("loop1.npy")])
    #expect(loop.status != 0 && loop.stderr.contains("loop") && loop.stderr.split(separator: "\n").count == 1)
    // No temporary file is left anywhere.
    let leftovers = (try fm.contentsOfDirectory(atPath: dir)) + (try fm.contentsOfDirectory(atPath: path("sub")))
    #expect(!leftovers.contains { $0.contains(".tmp-") })
  }
}
