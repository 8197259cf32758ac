import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

@Suite struct ModelFileTests {
  func tower(seed: UInt64) -> Sequential<Float> {
    var g = SeededGenerator(seed: seed)
    return Sequential(
      Dense(inputSize: 5, outputSize: 7, activation: .relu, generator: &g),
      ActivationLayer(.tanh),
      Dense(inputSize: 7, outputSize: 3, useBias: false, generator: &g),
      L2NormalizeLayer(eps: 1e-9))
  }

  @Test func roundTripIsBitExact() throws {
    var left = tower(seed: 1)
    var p = left.parameters
    p[1].scalars[0] = .greatestFiniteMagnitude
    p[1].scalars[1] = -.greatestFiniteMagnitude
    p[1].scalars[2] = -0.0
    p[1].scalars[3] = .leastNonzeroMagnitude
    p[0].scalars[0] = 0.1
    left.parameters = p
    let file = ModelFile(["left": left, "right": tower(seed: 2)], metadata: ["loss": "embedding"])
    let path = "/tmp/cosinekit-model-\(UInt64.random(in: 0...UInt64.max)).json"
    defer { unlink(path) }
    try file.write(to: path)
    let loaded = try ModelFile<Float>(contentsOf: path)
    #expect(loaded.entries.map(\.name) == ["left", "right"])
    #expect(loaded.metadata == ["loss": "embedding"])
    for name in ["left", "right"] {
      let a = file[name]!
      let b = loaded[name]!
      #expect(a.parameterNames == b.parameterNames)
      for (x, y) in zip(a.parameters, b.parameters) {
        #expect(x.shape == y.shape)
        #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern))
      }
      #expect(b.layers.count == 4)
      #expect((b.layers[1] as? ActivationLayer<Float>)?.function == .tanh)
      #expect((b.layers[3] as? L2NormalizeLayer<Float>)?.eps == 1e-9)
    }
    let x = try Tensor<Float>(shape: [2, 5], scalars: (0..<10).map { Float($0) / 10 })
    let right = file["right"]!
    #expect(try right(x) == loaded["right"]!(x))
  }

  @Test func doubleModelsRoundTripAndConvert() throws {
    var g = SeededGenerator(seed: 4)
    let m = Sequential<Double>(Dense(inputSize: 3, outputSize: 2, activation: .tanh, generator: &g))
    let bytes = try ModelFile(["m": m]).encoded()
    let d = try ModelFile<Double>(decoding: bytes)["m"]!
    #expect(d.parameters == m.parameters)
    let f = try ModelFile<Float>(decoding: bytes)["m"]!
    #expect(f.parameters.map { $0.scalars } == m.parameters.map { $0.converted(to: Float.self).scalars })
  }

  /// NaN and infinity are written as "NaN"/"Infinity" but rejected on load: a tower holding them
  /// would embed every row as NaN.
  @Test func nonFiniteParametersAreRejectedOnLoad() throws {
    var left = tower(seed: 1)
    var p = left.parameters
    p[1].scalars[1] = -.infinity
    left.parameters = p
    let path = "/tmp/cosinekit-model-\(UInt64.random(in: 0...UInt64.max)).json"
    defer { unlink(path) }
    try ModelFile(["left": left]).write(to: path)
    #expect(
      throws: TrainingFileError(path: path, message: "model 'left': layer 0: bias value 1 is -inf, not a finite number")
    ) { try ModelFile<Float>(contentsOf: path) }
  }

  @Test func malformedFilesAreRejectedWithAReason() throws {
    func message(_ json: String) -> String {
      do {
        _ = try ModelFile<Float>(decoding: Array(json.utf8))
        return "accepted"
      } catch let e as TrainingFileError { return e.message } catch { return "other error \(error)" }
    }
    #expect(message("not json").contains("not a CosineKit model file"))
    #expect(message(#"{"format": "other", "version": 1}"#).contains("format is 'other'"))
    #expect(message(#"{"format": "cosinekit-model", "version": 9}"#).contains("version 9"))
    let dense = #"{"type": "dense", "activation": "relu", "weight": {"shape": [2, 2], "values": [1, 2, 3]}}"#
    let file =
      #"{"format": "cosinekit-model", "version": 1, "scalar": "float32", "models": [{"name": "m", "layers": [LAYER]}]}"#
    #expect(message(file.replacing("LAYER", with: dense)).contains("shape [2, 2] but 3 values"))
    #expect(message(file.replacing("LAYER", with: #"{"type": "conv"}"#)).contains("unknown layer type 'conv'"))
    let ok = #"{"type": "dense", "activation": "relu", "weight": {"shape": [2, 3], "values": [1, 2, 3, 4, 5, 6]}}"#
    #expect(message(file.replacing("LAYER", with: ok + "," + ok)).contains("previous layer gives 3"))
    #expect(message(file.replacing("LAYER", with: ok.replacing("relu", with: "gelu"))).contains("unknown activation"))
    #expect(message(file.replacing("LAYER", with: ok)) == "accepted")
    #expect(throws: TrainingFileError.self) { try ModelFile<Float>(contentsOf: "/nonexistent/model.json") }
  }
}
