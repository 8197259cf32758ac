import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// `FileDescriptor.readFully` (positioned reads until the buffer is full or the file ends) and
/// `writeAll(raw:)`, through the file wrappers that use them.
@Suite struct FileDescriptorReadFullyTests {
  /// Seeded bytes, so a misplaced read cannot match by chance.
  private func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: g.next()) }
  }

  @Test(arguments: [(0, 0), (0, 1), (7, 1000), (65_536, 70_000), (199_990, 10)])
  func fillsTheBufferFromTheOffset(offset: Int, count: Int) throws {
    let dir = try TemporaryDirectory()
    let data = bytes(200_000, seed: 9)
    let input = try FileInput(path: try dir.write(data, to: "a.bin"))
    var out = [UInt8](repeating: 0, count: count)
    let n = try out.withUnsafeMutableBytes { try input.fd.readFully(fromAbsoluteOffset: offset, into: $0) }
    #expect(n == count)
    #expect(out == Array(data[offset..<offset + count]))
  }

  @Test func stopsAtTheEndOfTheFile() throws {
    let dir = try TemporaryDirectory()
    let data = bytes(1000, seed: 10)
    let input = try FileInput(path: try dir.write(data, to: "a.bin"))
    var out = [UInt8](repeating: 0xAA, count: 100)
    let n = try out.withUnsafeMutableBytes { try input.fd.readFully(fromAbsoluteOffset: 950, into: $0) }
    #expect(n == 50)
    #expect(out[..<50] == data[950...])
    #expect(out[50...].allSatisfy { $0 == 0xAA })
    #expect(try out.withUnsafeMutableBytes { try input.fd.readFully(fromAbsoluteOffset: 5000, into: $0) } == 0)
  }

  @Test func writeAllRawWritesEveryByte() throws {
    let dir = try TemporaryDirectory()
    let data = bytes(300_000, seed: 11)
    let path = dir.file("w.bin")
    try AtomicFile.write(to: path) { w in try data.withUnsafeBytes { try w.write($0) } }
    #expect(try dir.read("w.bin") == data)
  }
}
