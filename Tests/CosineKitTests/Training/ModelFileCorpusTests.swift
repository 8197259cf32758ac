import Foundation
import Testing

@testable import CosineKit

/// Every model file in the fuzz seed corpus (Fuzz/corpus/model, including regression inputs
/// the fuzzer finds) is either read or rejected with a one-line error — never a trap.
@Suite struct ModelFileCorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().appendingPathComponent("../../../Fuzz/corpus/model").standardized.path

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
