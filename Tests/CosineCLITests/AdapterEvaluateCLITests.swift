import ArgumentParser
import Foundation
import Testing

import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining
@testable import cosine

/// `cosine train --adapter` and `cosine evaluate`, parsed and run in-process.
@Suite final class AdapterEvaluateCLITests {
  let directory = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-adapter")

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func path(_ name: String) -> String { directory + "/" + name }

  /// Queries, and documents that are a fixed linear distortion of them plus noise.
  func writePairs(n: Int = 96, d: Int = 12, seed: UInt64 = 4) throws -> (Tensor<Float>, Tensor<Float>) {
    var g = SeededGenerator(seed: seed)
    let q = try Tensor<Float>(shape: [n, d], scalars: (0..<(n * d)).map { _ in Float(g.nextUniform() * 2 - 1) })
    let mix = Dense<Float>(inputSize: d, outputSize: d, useBias: false, generator: &g)
    var docs = try mix(q)
    for i in docs.scalars.indices { docs.scalars[i] += Float(g.nextUniform() - 0.5) * 0.2 }
    try NPY.write(AnyTensor(q), to: path("q.npy"))
    try NPY.write(AnyTensor(docs), to: path("d.npy"))
    return (q, docs)
  }

  @Test(arguments: [[], ["--rank", "3"], ["--shared"]])
  func untrainedAdapterEmbedsUnchanged(extra: [String]) throws {
    let (q, docs) = try writePairs()
    try TrainCommand.parse(
      [path("q.npy"), path("d.npy"), "--loss", "mnrl", "--adapter", "--epochs", "0", "-o", path("m.json")] + extra
    ).run()
    let tower = extra.contains("--shared") ? "tower" : "right"
    try EmbedCommand.parse([path("m.json"), path("d.npy"), "--tower", tower, "-o", path("e.npy")]).run()
    #expect(try NPY.read(contentsOf: path("e.npy")).converted(to: Float.self) == docs)
    if !extra.contains("--shared") {
      try EmbedCommand.parse([path("m.json"), path("q.npy"), "--tower", "left", "-o", path("e.npy")]).run()
      #expect(try NPY.read(contentsOf: path("e.npy")).converted(to: Float.self) == q)
    }
  }

  @Test func trainedAdapterImprovesRetrieval() throws {
    let (q, docs) = try writePairs()
    try TrainCommand.parse([
      path("q.npy"), path("d.npy"), "--loss", "mnrl", "--adapter", "--epochs", "30", "--batch-size", "32",
      "--learning-rate", "0.01", "-o", path("m.json"),
    ]).run()
    let file = try ModelFile<Float>(contentsOf: path("m.json"))
    let before = try RetrievalMetrics(queries: q, index: CosineIndex(docs))
    let after = try RetrievalMetrics(
      queries: file["left"]!(q), index: CosineIndex(file["right"]!(docs)))
    #expect(after.recall[1]! > before.recall[1]! + 0.1, "recall@1 \(before.recall[1]!) → \(after.recall[1]!)")
    // `cosine evaluate --model` runs the same towers.
    try EvaluateCommand.parse(["--queries", path("q.npy"), "--corpus", path("d.npy"), "--model", path("m.json")]).run()
  }

  @Test func adapterOptionsAreChecked() throws {
    _ = try writePairs()
    #expect(throws: (any Error).self) { try TrainCommand.parse([path("q.npy"), path("d.npy"), "--rank", "2"]) }
    #expect(throws: (any Error).self) {
      try TrainCommand.parse([path("q.npy"), path("d.npy"), "--adapter", "--rank", "0"])
    }
    let tooHigh = try TrainCommand.parse(
      [path("q.npy"), path("d.npy"), "--adapter", "--loss", "mnrl", "--rank", "13", "-o", path("never.json")])
    #expect(throws: CLIError.self) { try tooHigh.run() }
    try NPY.write(AnyTensor(Tensor<Float>(shape: [96, 5], repeating: 1)), to: path("narrow.npy"))
    let widths = try TrainCommand.parse(
      [path("q.npy"), path("narrow.npy"), "--adapter", "--loss", "mnrl", "-o", path("never.json")])
    #expect(throws: CLIError.self) { try widths.run() }
    #expect(!FileManager.default.fileExists(atPath: path("never.json")))
  }

  @Test func evaluateRendersTheEvaluatorsMetrics() throws {
    let m = try RetrievalMetrics(ranked: [[0, 1], [0, 1]], relevant: [[0], [1]])
    let json = EvaluateCommand.render(m, style: .json)
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
    #expect(object["queries"] as? Int == 2)
    // Printed as the shortest decimal that reads back as the same Double; the JSON parser may
    // round it by an ulp.
    for (key, value) in [("recall@1", m.recall[1]!), ("mrr@10", m.mrr[10]!), ("ndcg@10", m.ndcg[10]!)] {
      #expect(abs((object[key] as! Double) - value) <= 1e-15 * abs(value), "\(key)")
    }
    let table = EvaluateCommand.render(m, style: .table).split(separator: "\n")
    #expect(table.count == 9 && table[1].hasPrefix("recall@1") && table[4].hasPrefix("mrr@10"))
  }

  @Test func evaluateReportsBadInputAsErrors() throws {
    _ = try writePairs(n: 10, d: 4)
    try NPY.write(AnyTensor(Tensor<Float>([0, 1, 2, 3, 4, 5, 6, 7, 8, 10])), to: path("r_out.npy"))
    try NPY.write(AnyTensor(Tensor<Float>([0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9])), to: path("r_frac.npy"))
    try NPY.write(AnyTensor(Tensor<Float>([0, 1, 2])), to: path("r_short.npy"))
    try NPY.write(AnyTensor(Tensor<Float>(shape: [3, 5], repeating: 1)), to: path("c_wide.npy"))
    try NPY.write(AnyTensor(Tensor<Float>(shape: [3, 4], repeating: 1)), to: path("c_small.npy"))
    for args in [
      ["--relevant", "r_out.npy"], ["--relevant", "r_frac.npy"], ["--relevant", "r_short.npy"],
      ["--corpus", "c_wide.npy"], ["--corpus", "c_small.npy"], ["--model", "missing.json"],
    ] {
      var full = ["--queries", "q.npy", "--corpus", "d.npy"]
      if args[0] == "--corpus" { full[3] = args[1] } else { full += args }
      let c = try EvaluateCommand.parse(full.map { $0.hasSuffix(".npy") || $0.hasSuffix(".json") ? path($0) : $0 })
      #expect(throws: CLIError.self, "\(args)") { try c.run() }
    }
    #expect(throws: (any Error).self) {
      try EvaluateCommand.parse(["--queries", path("q.npy"), "--corpus", path("d.npy"), "--left-tower", "left"])
    }
    // Several relevant rows per query, negatives as padding.
    try NPY.write(
      AnyTensor(try Tensor<Float>(shape: [10, 2], scalars: (0..<20).map { $0 % 2 == 0 ? Float($0 / 2) : -1 })),
      to: path("r2.npy"))
    try EvaluateCommand.parse(["--queries", path("q.npy"), "--corpus", path("d.npy"), "--relevant", path("r2.npy")])
      .run()
  }
}
