import CCosineKernels
import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Every index file in the fuzz seed corpus (Fuzz/corpus/index, including regression inputs the
/// fuzzer finds) is either read and searchable or rejected with a one-line error.
@Suite struct IndexFileCorpusTests {
  static let corpus: String = {
    let file = #filePath
    return String(file[..<file.range(of: "/Tests/")!.lowerBound]) + "/Fuzz/corpus/index"
  }()

  @Test func corpusInputsAreReadOrRejectedCleanly() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).sorted()
    #expect(names.count >= 5)
    var accepted = 0
    for name in names {
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + name)))
      do {
        let index = try bytes.withUnsafeBytes { try CosineIndexFile(decoding: $0, source: name) }
        accepted += 1
        let q = try Tensor<Float>(shape: [1, index.dimension], repeating: 1)
        let r = try index.search(q, k: 5)
        #expect(Set(r.indices).isSubset(of: Set(index.ids)), "\(name)")
        #expect(name.hasPrefix("valid"), "\(name) was accepted")
      } catch let e as NPYError {
        #expect(e.path == name && !e.message.isEmpty && !e.description.contains("\n"), "\(name)")
        #expect(!name.hasPrefix("valid") || ck_cpu_level() < 2, "\(name): \(e)")
      }
    }
    #expect(accepted >= 3 || ck_cpu_level() < 2)
  }
}
