import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Every model file in the fuzz seed corpus (Fuzz/corpus/model, including regression inputs
/// the fuzzer finds) is either read or rejected with a one-line error — never a trap.
@Suite struct ModelFileCorpusTests {
  static let corpus: String = {
    let file = #filePath
    return String(file[..<file.range(of: "/Tests/")!.lowerBound]) + "/Fuzz/corpus/model"
  }()

  @Test func corpusInputsAreReadOrRejectedCleanly() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).sorted()
    #expect(names.count >= 4)
    var accepted = 0
    for name in names {
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + name)))
      do {
        let file = try ModelFile<Float>(decoding: bytes)
        accepted += 1
        #expect(try ModelFile<Float>(decoding: try file.encoded()).entries.map(\.name) == file.entries.map(\.name))
      } catch let e as TrainingFileError {
        #expect(!e.message.isEmpty && !e.description.contains("\n"), "\(name)")
      }
    }
    #expect(accepted >= 2)  // the two saved models
  }
}

@Suite struct OneLineErrorTests {
  /// Found by fuzzing the model-file reader: a layer type containing a newline made a
  /// two-line error. Errors escape control characters from the file.
  @Test func controlCharactersFromAFileAreEscaped() throws {
    let name = ModelFileCorpusTests.corpus + "/regression-newline-in-layer-type.json"
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: name)))
    do {
      _ = try ModelFile<Float>(decoding: bytes)
      Issue.record("a layer of type \"d\\nse\" was accepted")
    } catch let e as TrainingFileError {
      #expect(!e.description.contains("\n"))
      #expect(e.description.contains("d\\x0Ase"))
    }
    #expect(TrainingFileError(path: "a\nb", message: "x\ty\u{1B}").description == "a\\x0Ab: x\\x09y\\x1B")
  }
}
