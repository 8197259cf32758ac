import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

#if canImport(Glibc)
  import Glibc
#endif

/// Model files that are not regular files, too large, or hold weights a tower cannot use are
/// rejected on load with a message naming the file and the layer.
@Suite struct ModelFileHostileTests {
  static let file =
    #"{"format": "cosinekit-model", "version": 1, "scalar": "float32", "models": [{"name": "m", "layers": [LAYERS]}]}"#
  static func dense(_ values: String = "1, 2, 3, 4, 5, 6") -> String {
    #"{"type": "dense", "activation": "linear", "weight": {"shape": [2, 3], "values": [VALUES]}}"#
      .replacing("VALUES", with: values)
  }

  func message(_ layers: String) -> String {
    do {
      _ = try ModelFile<Float>(decoding: Array(Self.file.replacing("LAYERS", with: layers).utf8))
      return "accepted"
    } catch let e as TrainingFileError { return e.message } catch { return "other error \(error)" }
  }

  @Test func nonFiniteAndOutOfRangeWeightsAreRejected() {
    #expect(
      message(Self.dense(#"1, 2, "NaN", 4, 5, 6"#)).contains("layer 0: weight value 2 is nan, not a finite number"))
    #expect(message(Self.dense(#"1, 2, 3, "Infinity", 5, 6"#)).contains("not a finite number"))
    let big = message(Self.dense("1, 2, 3, 4, 1e300, 6"))
    #expect(big.contains("layer 0: weight value 4 (1e+300) is out of range for float32"), "\(big)")
    #expect(message(Self.dense()) == "accepted")
  }

  @Test func badAxisNamesTheLayer() {
    let m = message(Self.dense() + #", {"type": "l2Normalize", "axis": 5}"#)
    #expect(m.contains("layer 1: axis 5 is out of range"), "\(m)")
    #expect(message(Self.dense() + #", {"type": "l2Normalize", "axis": -1}"#) == "accepted")
  }

  /// Widths must chain into and out of nested sequentials; the message gives the layer's path.
  @Test func nestedLayersMustChain() {
    let nested = #"{"type": "sequential", "layers": [DENSE]}"#.replacing("DENSE", with: Self.dense())
    let m = message(Self.dense() + ", " + nested)
    #expect(m.contains("layer 1.0: takes rows of 2 but the previous layer gives 3"), "\(m)")
    let after = message(nested + ", " + Self.dense())
    #expect(after.contains("layer 1: takes rows of 2 but the previous layer gives 3"), "\(after)")
    let square = #"{"type": "dense", "activation": "linear", "weight": {"shape": [2, 2], "values": [1, 0, 0, 1]}}"#
    #expect(message(#"{"type": "sequential", "layers": [SQ]}, SQ"#.replacing("SQ", with: square)) == "accepted")
  }

  /// 3 → 0 → 2^40: no weights at all, yet the output would have 2^40 columns. Refused before
  /// allocating, naming the layer's sizes.
  @Test func emptyLayersThatWidenAreRefusedWhenApplied() throws {
    let narrow = #"{"type": "dense", "activation": "linear", "weight": {"shape": [3, 0], "values": []}}"#
    let wide = #"{"type": "dense", "activation": "linear", "weight": {"shape": [0, 1099511627776], "values": []}}"#
    let file = try ModelFile<Float>(decoding: Array(Self.file.replacing("LAYERS", with: narrow + ", " + wide).utf8))
    let x = try Tensor<Float>(shape: [4, 3], repeating: 1)
    do {
      _ = try file["m"]!(x)
      Issue.record("accepted")
    } catch let e as CosineError {
      #expect(e.description.contains("[4, 1099511627776]") && e.description.contains("0 → 1099511627776"), "\(e)")
    }
  }

  @Test(.timeLimit(.minutes(1))) func onlyRegularFilesOfBoundedSizeAreRead() throws {
    let dir = try TemporaryDirectory()
    let fifo = dir.file("model.json")
    #expect(mkfifo(fifo, 0o600) == 0)
    // A FIFO without a writer: refused at once, not waited on.
    #expect(
      throws: TrainingFileError(
        path: fifo, message: "not a regular file (a device, pipe or socket cannot be read as a model file)")
    ) {
      try ModelFile<Float>(contentsOf: fifo)
    }
    #expect(throws: TrainingFileError.self) { try ModelFile<Float>(contentsOf: "/dev/zero") }
    #expect(throws: TrainingFileError(path: dir.path, message: "is a directory, not a model file")) {
      try ModelFile<Float>(contentsOf: dir.path)
    }
    // A sparse file beyond the limit is refused from its size, without reading it.
    let big = dir.file("big.json")
    let fd = open(big, O_WRONLY | O_CREAT, 0o600)
    #expect(ftruncate(fd, off_t(FileBytes.maximumBytes) + 1) == 0)
    close(fd)
    do {
      _ = try ModelFile<Float>(contentsOf: big)
      Issue.record("accepted")
    } catch let e as TrainingFileError {
      #expect(e.message.contains("a model file may have"))
    }
  }
}
