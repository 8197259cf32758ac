import ArgumentParser
import Foundation
import Testing

import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining
@testable import cosine

/// The `demo`, `train` and `embed` subcommands, parsed and run in-process.
@Suite final class TrainingCommandTests {
  let directory = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-cli")

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  @Test func demoWithoutTrainingWritesTheReportAndModel() throws {
    let resources = String(#filePath[..<#filePath.range(of: "/Tests/")!.lowerBound]) + "/Sources/CosineDemo/Resources"
    let demo = try DigitsDemoCommand.parse(["--epochs", "0", "--output-dir", directory, "--data-dir", resources])
    try demo.run()
    let html = try String(contentsOfFile: directory + "/cosine-demo-report.html", encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("recall@1"))
    let model = try ModelFile<Float>(contentsOf: directory + "/cosine-demo-model.json")
    #expect(model.entries.map(\.name) == ["top", "bottom"])
  }

  @Test func demoRejectsAMissingOutputDirectory() throws {
    let demo = try DigitsDemoCommand.parse(["--epochs", "0", "--output-dir", directory + "/missing"])
    #expect(throws: CLIError.self) { try demo.run() }
    #expect(throws: (any Error).self) { try DigitsDemoCommand.parse(["--epochs", "-1"]) }
  }

  @Test func trainThenEmbed() throws {
    var g = SeededGenerator(seed: 1)
    let left = try Tensor<Float>(shape: [64, 6], scalars: (0..<384).map { _ in Float(g.nextUniform() * 2 - 1) })
    let right = try Dense<Float>(inputSize: 6, outputSize: 4, generator: &g)(left)
    let target = Tensor<Float>((0..<64).map { $0 % 3 == 0 ? -1 : 1 })
    try NPY.write(AnyTensor(left), to: directory + "/l.npy")
    try NPY.write(AnyTensor(right), to: directory + "/r.npy")
    try NPY.write(AnyTensor(target), to: directory + "/t.npy")
    let model = directory + "/m.json"
    let train = try TrainCommand.parse([
      directory + "/l.npy", directory + "/r.npy", "--target", directory + "/t.npy", "--loss", "embedding",
      "--margin", "0.1", "--layers", "8,3", "--epochs", "3", "--learning-rate", "0.01", "-o", model,
    ])
    try train.run()
    let file = try ModelFile<Float>(contentsOf: model)
    #expect(file.entries.map(\.name) == ["left", "right"])
    #expect(file.metadata["loss"] == "embedding")

    let embed = try EmbedCommand.parse([model, directory + "/r.npy", "--tower", "right", "-o", directory + "/e.npy"])
    try embed.run()
    let e = try NPY.read(contentsOf: directory + "/e.npy").converted(to: Float.self)
    #expect(e.shape == [64, 3])
    #expect(e == (try file["right"]!(right)))

    // The left tower takes 6 values per row, not 4.
    let wrong = try EmbedCommand.parse([model, directory + "/r.npy", "-o", directory + "/x.npy"])
    #expect(throws: CLIError.self) { try wrong.run() }
    #expect(!exists(directory + "/x.npy"))
    let unknown = try EmbedCommand.parse([model, directory + "/r.npy", "--tower", "middle", "-o", directory + "/x.npy"])
    #expect(throws: CLIError.self) { try unknown.run() }
  }

  @Test func trainReportsBadInputAsErrors() throws {
    try NPY.write(AnyTensor(Tensor<Float>(shape: [4, 2], repeating: 1)), to: directory + "/a.npy")
    try NPY.write(AnyTensor(Tensor<Float>(shape: [3, 2], repeating: 1)), to: directory + "/b.npy")
    for args in [
      ["a.npy", "b.npy"],  // rows do not pair up
      ["a.npy", "missing.npy"],
      ["a.npy", "a.npy", "--loss", "embedding"],  // needs a target
      ["a.npy", "a.npy", "--target", "a.npy", "--loss", "mse"],  // targets are not a vector
    ] {
      let train = try TrainCommand.parse(
        args.map { $0.hasSuffix(".npy") ? directory + "/" + $0 : $0 } + ["-o", directory + "/never.json"])
      #expect(throws: CLIError.self, "\(args)") { try train.run() }
    }
    #expect(!exists(directory + "/never.json"))
    for args in [["x", "y", "--loss", "hinge"], ["x", "y", "--layers", "8,,2"], ["x", "y", "--activation", "gelu"]] {
      #expect(throws: (any Error).self, "\(args)") { try TrainCommand.parse(args) }
    }
  }
}
