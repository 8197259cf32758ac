import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Encoding matches numpy.save byte for byte; writing is atomic.
@Suite struct NPYWriterTests {
  typealias F = NPYFixtures

  /// Fixtures written by numpy.save (version 1.0, little-endian float, C order): decoding and
  /// re-encoding them must give back the identical bytes.
  @Test(arguments: [
    "float16_le", "float32_le", "float64_le", "rank0", "rank1", "rank2", "rank3", "rank4", "rank5", "rank6",
    "rank7", "rank8", "rank0_f2", "empty_f8_0", "empty_f4_3x0", "specials_f16", "specials_f32", "specials_f64",
  ])
  func encodeIsByteIdenticalToNumPySave(name: String) throws {
    let original = try F.bytes(name + ".npy")
    let t = try F.decode(original)
    #expect(NPY.encode(t) == original)
  }

  @Test func headerLayoutFollowsNumPy() {
    let t = AnyTensor(try! Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
    let b = NPY.encode(t)
    #expect(Array(b.prefix(8)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let headerLength = Int(b[8]) | Int(b[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    #expect(b[10 + headerLength - 1] == 0x0A)
    let text = String(decoding: b[10..<(10 + headerLength)], as: UTF8.self)
    #expect(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
    #expect(text.dropFirst(60).allSatisfy { $0 == " " || $0 == "\n" })
    #expect(b.count == 10 + headerLength + 24)
  }

  @Test(arguments: [
    [Int](), [0], [1], [7], [3, 0, 2], [2, 3, 4], [1, 1, 1, 1, 1, 1, 1, 1, 1, 5], [123_456_789_012, 0],
  ])
  func roundTripsThroughDecode(shape: [Int]) throws {
    let n = try Shape.count(shape)
    let values = (0..<n).map { i -> Double in i % 7 == 3 ? .nan : Double(i) * 0.1 - 1 }
    for tensor in [
      AnyTensor(try Tensor<Double>(shape: shape, scalars: values)),
      AnyTensor(try Tensor<Float>(shape: shape, scalars: values.map(Float.init))),
      AnyTensor(try Tensor<Float16>(shape: shape, scalars: values.map(Float16.init))),
    ] {
      let bytes = NPY.encode(tensor)
      let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      #expect((10 + headerLength) % 64 == 0)
      let back = try F.decode(bytes)
      #expect(back.shape == shape)
      #expect(back.dtypeName == tensor.dtypeName)
      #expect(F.bits(back) == F.bits(tensor))
    }
  }

  @Test func nanPayloadsAndSignedZerosSurvive() throws {
    let odd = Double(bitPattern: 0x7FF0_0000_0000_1234)  // signalling NaN with a payload
    let t = AnyTensor(Tensor<Double>([-0.0, odd, -.nan, .infinity]))
    #expect(F.bits(try F.decode(NPY.encode(t))) == F.bits(t))
  }

  @Test func hugeHeadersUseVersion2() throws {
    // NumPy switches to version 2.0 when the header exceeds 65535 bytes; only absurd ranks get there.
    let shape = [Int](repeating: 1, count: 22_000)
    let t = AnyTensor(try Tensor<Float>(shape: shape, scalars: [2.5]))
    let b = NPY.encode(t)
    #expect(b[6] == 2 && b[7] == 0)
    let headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
    #expect(headerLength > 65535)
    #expect((12 + headerLength) % 64 == 0)
    #expect(b.count == 12 + headerLength + 4)
    // The reader refuses it, by its rank.
    #expect(F.decodeError(b)?.message.contains("rank 22000 exceeds the maximum of 32") == true)
  }

  // MARK: Files

  @Test func writeThenReadAndNoTemporaryFilesRemain() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("out.npy")
    let t = AnyTensor(try Tensor<Float>(shape: [4, 5], scalars: F.pattern(20).map(Float.init)))
    try NPY.write(t, to: path)
    #expect(try dir.read("out.npy") == NPY.encode(t))
    #expect(try NPY.read(contentsOf: path) == t)
    #expect(try dir.contents() == ["out.npy"])
  }

  @Test func writeReplacesAnExistingFile() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write(Array("old contents".utf8), to: "x.npy")
    let t = AnyTensor(Tensor<Float16>(scalar: 1.5))
    try NPY.write(t, to: path)
    #expect(try dir.read("x.npy") == NPY.encode(t))
    #expect(try dir.contents() == ["x.npy"])
  }

  @Test func writtenFilesGetUmaskPermissions() throws {
    // Not 0600 as mkstemp would give: 0666 minus the umask, like any newly created file.
    let dir = try TemporaryDirectory()
    let mask = umask(0o022)
    umask(mask)
    try NPY.write(AnyTensor(Tensor<Double>([1])), to: dir.file("p.npy"))
    let mode = try FileManager.default.attributesOfItem(atPath: dir.file("p.npy"))[.posixPermissions] as? Int
    #expect(mode == 0o666 & ~Int(mask))
  }

  @Test func largeTensorsAreWrittenCompletely() throws {
    let dir = try TemporaryDirectory()
    let n = 600_000  // 4.8 MB
    let t = AnyTensor(try Tensor<Double>(shape: [n / 4, 4], scalars: (0..<n).map { Double($0) / 3 }))
    try NPY.write(t, to: dir.file("big.npy"))
    #expect(try NPY.read(contentsOf: dir.file("big.npy")) == t)
  }

  @Test func missingDirectoryThrowsAndCreatesNothing() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("missing/out.npy")
    #expect(throws: NPYError(path: path, message: "cannot write: the directory '\(dir.path)/missing/' does not exist"))
    {
      try NPY.write(AnyTensor(Tensor<Double>([1, 2])), to: path)
    }
    #expect(try dir.contents().isEmpty)
  }

  @Test func pathThatIsADirectoryIsLeftAlone() throws {
    let dir = try TemporaryDirectory()
    let sub = dir.file("sub")
    try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
    _ = try dir.write([1, 2, 3], to: "sub/keep")
    #expect(throws: NPYError(path: sub, message: "cannot replace a directory with a file")) {
      try NPY.write(AnyTensor(Tensor<Double>([1, 2])), to: sub)
    }
    #expect(try dir.contents() == ["sub"])
    #expect(try dir.read("sub/keep") == [1, 2, 3])
    #expect(throws: NPYError.self) { try NPY.write(AnyTensor(Tensor<Double>([1])), to: dir.path + "/") }
    #expect(try dir.contents() == ["sub"])
  }

  struct InjectedFailure: Error {}

  /// A write that fails half way (here: injected after part of the data) leaves the existing
  /// file byte-identical and no temporary file behind.
  @Test func failedWriteLeavesExistingFileUntouched() throws {
    let dir = try TemporaryDirectory()
    let original = try F.bytes("float64_le.npy")
    let path = try dir.write(original, to: "data.npy")
    let replacement = NPY.encode(AnyTensor(Tensor<Double>([9, 9, 9])))
    #expect(throws: InjectedFailure.self) {
      try AtomicFile.write(to: path) { out in
        try out.write(Array(replacement.prefix(100)))
        throw InjectedFailure()
      }
    }
    #expect(try dir.read("data.npy") == original)
    #expect(try dir.contents() == ["data.npy"])

    // Problems the writer reports become NPYErrors naming the path, with the same guarantees.
    #expect(throws: NPYError(path: path, message: "disk on fire")) {
      try AtomicFile.write(to: path) { _ in throw NPYProblem("disk on fire") }
    }
    #expect(try dir.read("data.npy") == original)
    #expect(try dir.contents() == ["data.npy"])
  }

  @Test func writeErrorsAreReported() throws {
    // /dev/full accepts opens but fails every write with ENOSPC; AtomicFile.Writer must report it.
    let fd = open("/dev/full", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let writer = AtomicFile.Writer(fdForTesting: fd)
    #expect(throws: NPYProblem.self) { try writer.write([1, 2, 3]) }
  }

  @Test(.enabled(if: geteuid() != 0, "root can write into read-only directories"))
  func readOnlyDirectory() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write([7, 7, 7], to: "keep.npy")
    chmod(dir.path, 0o555)
    defer { chmod(dir.path, 0o755) }
    #expect(throws: NPYError.self) { try NPY.write(AnyTensor(Tensor<Double>([1])), to: path) }
    #expect(try dir.read("keep.npy") == [7, 7, 7])
    #expect(try dir.contents() == ["keep.npy"])
  }

  @Test func splitPath() {
    #expect(AtomicFile.split("a/b/c.npy") == ("a/b/", "c.npy"))
    #expect(AtomicFile.split("c.npy") == ("", "c.npy"))
    #expect(AtomicFile.split("/c.npy") == ("/", "c.npy"))
    #expect(AtomicFile.split("dir/") == ("dir/", ""))
  }
}
