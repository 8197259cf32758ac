import CosineKit
import CosineTestSupport
import Foundation
import Testing

/// `cosine mine`, `cosine cluster` and `cosine outliers`, end to end.
@Suite(.serialized) struct AnalysisCLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-analysis")

  /// Rows around `centers` directions, with rows 1 and 2 equal.
  func data(_ n: Int, _ d: Int, centers: Int, seed: UInt64) throws -> (Tensor<Float>, String) {
    var g = SeededGenerator(seed: seed)
    func uniform() -> Float { Float(g.gridUniform()) }
    let c = (0..<centers * d).map { _ in uniform() }
    var v = [Float](repeating: 0, count: n * d)
    for r in 0..<n {
      for j in 0..<d { v[r * d + j] = c[(r % centers) * d + j] + 0.2 * uniform() }
    }
    for j in 0..<d { v[2 * d + j] = v[1 * d + j] }
    let t = try Tensor(shape: [n, d], scalars: v)
    let path = dir + "/x\(seed).npy"
    try NPY.write(AnyTensor(t), to: path)
    return (t, path)
  }

  /// Whether the .npy header declares little-endian int64.
  func isInt64(_ path: String) throws -> Bool {
    String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)).prefix(128), as: UTF8.self).contains("'<i8'")
  }

  func read(_ path: String) throws -> Tensor<Double> { try NPY.read(contentsOf: path).converted(to: Double.self) }

  @Test func mineWritesPairsAndScoresAndPrintsFormats() throws {
    let (x, path) = try data(120, 8, centers: 5, seed: 1)
    let r = try run([
      "mine", path, "--top-k", "3", "--max-pairs", "50", "--pairs", dir + "/p.npy", "--scores", dir + "/s.npy",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.isEmpty)
    let want = try paraphraseMining(x, topK: 3, maxPairs: 50)
    let p = try read(dir + "/p.npy")
    let s = try read(dir + "/s.npy")
    #expect(p.shape == [50, 2] && s.shape == [50])
    #expect(try isInt64(dir + "/p.npy"))
    #expect(p.scalars.map { Int($0) } == want.flatMap { [$0.first, $0.second] })
    #expect(s.scalars == want.map { Double($0.score) })
    #expect(want[0].first == 1 && want[0].second == 2)
    let j = try run(["mine", path, "--top-k", "3", "--threshold", "0.9", "--format", "json"])
    #expect(j.status == 0)
    let lines = j.stdout.split(separator: "\n")
    #expect(lines.count == (try paraphraseMining(x, topK: 3, threshold: 0.9)).count)
    #expect(lines.first?.hasPrefix("{\"first\": 1, \"second\": 2, \"score\": ") == true)
    let t = try run(["mine", path, "--top-k", "2", "--max-pairs", "3", "--format", "tsv"])
    #expect(t.stdout.split(separator: "\n").count == 4 && t.stdout.hasPrefix("first\tsecond\tscore\n"))
  }

  @Test func clusterKMeansPrintsObjectivesAndWritesLabelsAndCentroids() throws {
    let (x, path) = try data(300, 6, centers: 4, seed: 2)
    let r = try run([
      "cluster", path, "--k", "4", "--iterations", "7", "--seed", "3", "--labels", dir + "/l.npy", "--centroids",
      dir + "/c.npy",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let want = try SphericalKMeans(clusters: 4, iterations: 7, seed: 3).fit(x)
    let lines = r.stdout.split(separator: "\n")
    // One line per iteration run, a convergence line when the run stopped early, the final line.
    #expect(lines.count == want.iterationsRun + (want.converged ? 1 : 0) + 1)
    #expect(lines[0] == "iteration 1: objective \(want.objectives[0])")
    if want.converged {
      #expect(lines[want.iterationsRun] == "converged at iteration \(want.iterationsRun): no assignment changed")
    }
    #expect(lines.last == "final: objective \(want.objective)")
    #expect(try read(dir + "/l.npy").scalars.map { Int($0) } == want.labels)
    #expect(try isInt64(dir + "/l.npy"))
    let c = try NPY.read(contentsOf: dir + "/c.npy").converted(to: Float.self)
    #expect(c.shape == [4, 6] && c.scalars == want.centroids.scalars)
  }

  @Test func clusterCommunitiesWritesLabels() throws {
    let (x, path) = try data(200, 6, centers: 4, seed: 3)
    let r = try run(["cluster", path, "--threshold", "0.8", "--min-size", "5", "--labels", dir + "/lc.npy"])
    #expect(r.status == 0, "\(r.stderr)")
    let communities = try communityDetection(x, threshold: 0.8, minCommunitySize: 5)
    #expect(!communities.isEmpty)
    #expect(try read(dir + "/lc.npy").scalars.map { Int($0) } == communityLabels(communities, rowCount: 200))
    #expect(r.stdout.hasPrefix("\(communities.count) communities"))
  }

  @Test func outliersScoresAndTop() throws {
    let (x, path) = try data(80, 5, centers: 3, seed: 4)
    let r = try run([
      "outliers", path, "--neighbors", "4", "--method", "mean", "--scores", dir + "/o.npy", "--top", "3",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let want = try knnOutlierScores(x, neighbors: 4, method: .mean)
    #expect(try NPY.read(contentsOf: dir + "/o.npy").converted(to: Float.self).scalars == want.scalars)
    let order = want.scalars.indices.sorted {
      want.scalars[$0] != want.scalars[$1] ? want.scalars[$0] > want.scalars[$1] : $0 < $1
    }
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 4 && lines[1].hasPrefix("1\t\(order[0])\t"))
    let all = try run(["outliers", path])
    #expect(all.stdout.split(separator: "\n").count == 80)
  }

  @Test func badArgumentsFailOnOneLineAndLeaveOutputsAlone() throws {
    let (_, path) = try data(20, 4, centers: 2, seed: 5)
    let keep = dir + "/keep.npy"
    try NPY.write(AnyTensor(Tensor<Float>([7, 7])), to: keep)
    let before = try Data(contentsOf: URL(fileURLWithPath: keep))
    let empty = dir + "/empty.npy"
    try NPY.write(AnyTensor(try Tensor<Float>(shape: [0, 4], scalars: [])), to: empty)
    let cases: [[String]] = [
      ["outliers", path, "--neighbors", "20", "--scores", keep],
      ["outliers", path, "--neighbors", "0", "--scores", keep],
      ["cluster", path, "--k", "21", "--labels", keep],
      ["cluster", path, "--k", "0", "--labels", keep],
      ["cluster", path, "--threshold", "1.5", "--labels", keep],
      ["cluster", path, "--labels", keep],
      ["cluster", path, "--k", "2", "--threshold", "0.5"],
      ["mine", path, "--top-k", "0", "--pairs", keep],
      ["mine", path, "--threshold", "-2", "--scores", keep],
      ["mine", empty, "--pairs", keep],
      ["cluster", empty, "--k", "1", "--labels", keep],
      ["outliers", dir + "/missing.npy", "--scores", keep],
    ]
    for args in cases {
      let r = try run(args)
      #expect(r.status != 0, "\(args)")
      #expect(r.stderr.hasPrefix("cosine: ") && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: keep)) == before)
    }
    let e = try run(["cluster", empty, "--k", "1"])
    #expect(e.stderr.contains("empty.npy"))
  }
}
