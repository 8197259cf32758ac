import CosineKit
import Foundation
import Testing

/// End-to-end tests of the `cosine` executable built beside this test bundle.
@Suite(.serialized) struct CLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-cli")

  @Test func similarityWritesValuesAndGradients() throws {
    let a = try Tensor<Float>(rows: [[1, 0, 0], [1, 2, 2], [0, 0, 0]])
    let b = try Tensor<Float>(rows: [[1, 1, 0], [2, 4, 4], [1, 1, 1]])
    let r = try run([
      "similarity", try save(a, "a.npy"), try save(b, "b.npy"), "-o", path("c.npy"), "--grad1", path("g1.npy"),
      "--grad2", path("g2.npy"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let c = try NPY.read(contentsOf: path("c.npy"))
    guard case .float32(let ct) = c else {
      Issue.record("expected float32 output, got \(c.dtypeName)")
      return
    }
    #expect(ct == (try cosineSimilarity(a, b)))
    let (_, pb) = try cosineSimilarityWithPullback(a, b)
    let (g1, g2) = try pb(Tensor([1, 1, 1]))
    #expect(try NPY.read(contentsOf: path("g1.npy")) == AnyTensor(g1))
    #expect(try NPY.read(contentsOf: path("g2.npy")) == AnyTensor(g2))
  }

  @Test func mixedTypesComputeInTheWiderType() throws {
    let a = try Tensor<Float>(rows: [[1, 2]])
    let b = try Tensor<Double>(rows: [[2, 1]])
    let r = try run(["similarity", try save(a, "a.npy"), try save(b, "b.npy"), "-o", path("c.npy")])
    #expect(r.status == 0)
    #expect(try NPY.read(contentsOf: path("c.npy")).dtypeName == "float64")
  }

  @Test func lossPrintsReadableValue() throws {
    let yt = try Tensor<Float>(rows: [[0, 1], [1, 1], [1, 1]])
    let yp = try Tensor<Float>(rows: [[1, 0], [1, 1], [-1, -1]])
    let r = try run(["loss", "--kind", "keras", try save(yt, "t.npy"), try save(yp, "p.npy"), "--reduction", "none"])
    #expect(r.status == 0)
    #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "-0.0 -1.0 1.0")
  }

  @Test func searchWritesInt64IndicesAndScores() throws {
    let corpus = try Tensor<Float>(rows: [[1, 0], [0, 1], [1, 1], [-1, 0]])
    let q = try Tensor<Float>(rows: [[1, 0.1]])
    let r = try run([
      "search", "--corpus", try save(corpus, "c.npy"), "--queries", try save(q, "q.npy"), "--top-k", "3",
      "--indices", path("i.npy"), "--scores", path("s.npy"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let raw = try Data(contentsOf: URL(fileURLWithPath: path("i.npy")))
    #expect(String(decoding: raw.prefix(80), as: UTF8.self).contains("'descr': '<i8'"))
    let idx = raw.suffix(24).withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
    #expect(idx == [0, 2, 1])
    #expect(try NPY.read(contentsOf: path("s.npy")).shape == [1, 3])
  }

  /// Each failure: non-zero status, exactly one line on stderr naming the culprit, no output.
  @Test func failuresAreOneLineAndLeaveNoOutput() throws {
    let a = try save(try Tensor<Float>(shape: [3, 4], repeating: 1), "a.npy")
    let b = try save(try Tensor<Float>(shape: [2, 4], repeating: 1), "b.npy")
    let nan = try save(try Tensor<Float>(rows: [[1, .nan]]), "nan.npy")
    let t = try save(Tensor<Float>([1, 0, -1]), "t.npy")
    try Data("not numpy".utf8).write(to: URL(fileURLWithPath: path("bad.npy")))
    let cases: [([String], String)] = [
      (["similarity", a, b], "[3, 4]"),
      (["similarity", a, path("missing.npy")], "missing.npy"),
      (["similarity", a, dir], dir),
      (["similarity", a, path("bad.npy")], "bad.npy"),
      (["similarity", a, a, "--axis", "2"], "axis 2"),
      (["similarity", a, a, "--eps", "-1"], "--eps"),
      (["similarity", nan, nan], "nan.npy"),
      (["loss", "--kind", "embedding", a, a, "--target", t], "neither 1 nor -1"),
      (["loss", "--kind", "embedding", a, a], "--target"),
      (["search", "--corpus", a, "--queries", a, "--top-k", "0"], "--top-k"),
      (
        ["search", "--corpus", a, "--queries", try save(try Tensor<Float>(shape: [1, 3], repeating: 1), "q3.npy")],
        "[1, 3]"
      ),
      (["matrix", a, try save(Tensor<Float>([1, 2]), "v.npy")], "[2]"),
    ]
    for (args, culprit) in cases {
      let r = try run(args + (args[0] == "search" ? ["--scores", path("out.npy")] : ["-o", path("out.npy")]))
      #expect(r.status != 0, "\(args)")
      let lines = r.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(args): \(r.stderr)")
      #expect(r.stderr.contains(culprit), "\(args): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: path("out.npy")), "\(args)")
    }
  }

  @Test func allowNonfiniteLetsNaNPropagate() throws {
    let nan = try save(try Tensor<Double>(rows: [[1, .nan], [1, 1]]), "nan.npy")
    let r = try run(["similarity", nan, nan, "--allow-nonfinite", "-o", path("c.npy")])
    #expect(r.status == 0)
    guard case .float64(let c) = try NPY.read(contentsOf: path("c.npy")) else { return }
    #expect(c.scalars[0].isNaN && c.scalars[1] == 1)
  }

  @Test func aFailedRunLeavesAnExistingOutputUntouched() throws {
    let out = path("keep.npy")
    try Data("precious".utf8).write(to: URL(fileURLWithPath: out))
    let a = try save(try Tensor<Float>(shape: [3, 4], repeating: 1), "a.npy")
    let b = try save(try Tensor<Float>(shape: [2, 4], repeating: 1), "b.npy")
    let r = try run(["similarity", a, b, "-o", out])
    #expect(r.status != 0)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "precious")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
      $0.hasPrefix(".") || $0.contains("tmp")
    }
    #expect(leftovers.isEmpty)
  }
}
