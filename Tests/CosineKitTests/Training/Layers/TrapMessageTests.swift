import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The non-throwing forms (operators, trapping layer calls) stop the process with the error's
/// message, in release builds too (`fatalError` keeps its message; `preconditionFailure` prints
/// only "precondition failure" under `-c release`). Run in a child process (exit tests).
@Suite struct TrapMessageTests {
  @Test func operatorMismatchTrapsWithTheShapes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let a = Tensor<Float>([1, 2])
      let b = Tensor<Float>([1, 2, 3])
      _ = a + b
    }
    let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("[2] and [3]"), "\(text)")
  }

  @Test func trappingSimilarityNamesTheShapes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let a = Tensor<Double>([1, 2])
      let b = Tensor<Double>([1, 2, 3])
      _ = a.cosineSimilarity(to: b)
    }
    let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("[2]") && text.contains("[3]"), "\(text)")
    // The trap names the caller's file (this one), as `precondition` does, not the library's.
    #expect(text.contains("TrapMessageTests.swift"), "\(text)")
  }

  /// A layer called on the wrong width names the caller's file and line.
  @Test func trappingLayerNamesTheCallersLine() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      var g = SeededGenerator(seed: 1)
      let layer = Dense<Float>(inputSize: 3, outputSize: 2, generator: &g)
      _ = layer.forward(Tensor<Float>([[1, 2]]))
    }
    let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("TrapMessageTests.swift") && !text.contains("Layer.swift"), "\(text)")
  }

  /// A layer too large for memory stops with its sizes and the bytes needed, not in the allocator.
  @Test func oversizedLayerNamesItsSize() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      var g = SeededGenerator(seed: 1)
      _ = Dense<Float>(inputSize: 1 << 20, outputSize: 1 << 30, generator: &g)
    }
    let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("1048576 → 1073741824 needs"), "\(text)")
  }
}
