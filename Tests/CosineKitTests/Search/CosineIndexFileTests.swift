import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Preparing an index from a `.npy` file, a piece at a time.
@Suite struct CosineIndexFileTests {
  let dir: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("cosine-index-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  /// A version 1.0 `.npy` file written by hand (for layouts `NPY.write` does not produce).
  func writeRaw(_ name: String, descr: String, fortran: Bool, shape: [Int], data: [UInt8]) throws -> String {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(tuple), }"
    while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
    dict += "\n"
    var bytes: [UInt8] = [
      0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(dict.utf8.count & 0xff), UInt8(dict.utf8.count >> 8),
    ]
    bytes += Array(dict.utf8) + data
    let path = dir + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func fileIndexEqualsTensorIndex() throws {
    let corpus = randomTensor([100_001, 12], seed: 140, as: Float.self)  // several pieces
    let path = dir + "/c.npy"
    try NPY.write(AnyTensor(corpus), to: path)
    var pieces = 0
    var seen = 0
    let index = try CosineIndex<Float>(contentsOf: path) { first, piece in
      #expect(first == seen)
      seen += piece.count
      pieces += 1
    }
    #expect(pieces > 1 && seen == corpus.count)
    let q = randomTensor([4, 12], seed: 141, as: Float.self)
    #expect(try index.search(q, k: 9) == (try CosineIndex(corpus).search(q, k: 9)))
    #expect(try NPY.describe(contentsOf: path).shape == [100_001, 12])
    #expect(try NPY.describe(contentsOf: path).scalarType == "float32")
  }

  @Test func otherDtypesAndFortranOrderAreConverted() throws {
    // [[1, 2, 3], [4, 5, 6]] as big-endian int16 in Fortran order (column-major).
    let values: [Int16] = [1, 4, 2, 5, 3, 6]
    let data = values.flatMap { v -> [UInt8] in [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    let path = try writeRaw("f.npy", descr: ">i2", fortran: true, shape: [2, 3], data: data)
    let index = try CosineIndex<Double>(contentsOf: path)
    let want = try Tensor<Double>(rows: [[1, 2, 3], [4, 5, 6]])
    let q = try Tensor<Double>(rows: [[1, 0, 0], [0, 0, 1]])
    #expect(try index.search(q, k: 2) == (try CosineIndex(want).search(q, k: 2)))
    #expect(try NPY.describe(contentsOf: path).scalarType == "float64")
    // A rank-1 file is one row.
    let v = try writeRaw(
      "v.npy", descr: "<f4", fortran: false, shape: [3],
      data: [Float(1), 0, 0].flatMap { f in
        withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) }
      })
    #expect(try CosineIndex<Float>(contentsOf: v).count == 1)
  }

  @Test func problemsNameTheFile() throws {
    let cube = dir + "/cube.npy"
    try NPY.write(AnyTensor(try Tensor<Float>(shape: [2, 2, 2], repeating: 1)), to: cube)
    #expect { try CosineIndex<Float>(contentsOf: cube) } throws: { ($0 as? NPYError)?.path == cube }
    let missing = dir + "/missing.npy"
    #expect { try CosineIndex<Float>(contentsOf: missing) } throws: { ($0 as? NPYError)?.path == missing }
    let ok = dir + "/ok.npy"
    try NPY.write(AnyTensor(try Tensor<Float>(rows: [[1, 2], [3, .nan]])), to: ok)
    struct Rejected: Error {}
    #expect(throws: Rejected.self) {
      try CosineIndex<Float>(contentsOf: ok) { _, piece in if piece.contains(where: \.isNaN) { throw Rejected() } }
    }
  }
}
