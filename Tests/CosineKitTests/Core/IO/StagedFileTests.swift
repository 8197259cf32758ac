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

/// Outputs are written as a shell redirect would write them, atomically, and several as one.
@Suite struct StagedFileTests {
  @Test func readOnlyFileIsRefusedAndKept() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write([1, 2, 3], to: "ro.npy")
    chmod(path, 0o444)
    #expect(throws: NPYError(path: path, message: "cannot write: the existing file is read-only (it is not replaced)"))
    {
      try NPY.write(AnyTensor(Tensor<Double>([1])), to: path)
    }
    #expect(try dir.read("ro.npy") == [1, 2, 3])
    #expect(try dir.contents() == ["ro.npy"])
  }

  @Test func replacedFileKeepsItsPermissionBits() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write([1, 2, 3], to: "p.npy")
    chmod(path, 0o640)
    try NPY.write(AnyTensor(Tensor<Double>([1])), to: path)
    var info = stat()
    stat(path, &info)
    #expect(info.st_mode & 0o777 == 0o640)
    #expect(try NPY.read(contentsOf: path) == AnyTensor(Tensor<Double>([1])))
  }

  @Test func emptyPathAndDirectoriesAreRefused() throws {
    let dir = try TemporaryDirectory()
    #expect(throws: NPYError(path: "", message: "cannot write: the path is empty")) {
      try StagedFile.checkDestination("")
    }
    #expect(throws: NPYError.self) { try StagedFile.checkDestination(dir.path) }
    #expect(throws: NPYError.self) { try StagedFile.checkDestination(dir.path + "/") }
    #expect(throws: NPYError.self) { try StagedFile.checkDestination(dir.path + "/missing/x.npy") }
    _ = try dir.write([0], to: "file")
    #expect(throws: NPYError.self) { try StagedFile.checkDestination(dir.path + "/file/x.npy") }
    try StagedFile.checkDestination(dir.path + "/new.npy")
    #expect(try dir.contents() == ["file"])
  }

  /// A 238-byte name of multi-byte characters: the temporary name is shortened by bytes, at a
  /// character boundary, so it stays within NAME_MAX.
  @Test func longMultibyteNames() throws {
    let dir = try TemporaryDirectory()
    let name = String(repeating: "👨‍👩‍👧", count: 13) + ".npy"
    #expect(name.utf8.count == 238)
    let t = AnyTensor(Tensor<Float>([1, 2]))
    try NPY.write(t, to: dir.file(name))
    #expect(try NPY.read(contentsOf: dir.file(name)) == t)
    #expect(try dir.contents() == [name])
    let short = StagedFile.shortened(name, toBytes: 200)
    #expect(short.utf8.count <= 200 && name.hasPrefix(short) && short.utf8.count > 190)
    #expect(throws: NPYError.self) { try StagedFile.checkDestination(dir.file(String(repeating: "é", count: 128))) }
  }

  /// A character device is written through, never replaced by a regular file.
  @Test func devicesAreWrittenThrough() throws {
    try NPY.write(AnyTensor(Tensor<Float>([1, 2])), to: "/dev/null")
    var info = stat()
    stat("/dev/null", &info)
    #expect(info.st_mode & S_IFMT == S_IFCHR)
    #expect(throws: NPYError.self) { try NPY.write(AnyTensor(Tensor<Float>([1, 2])), to: "/dev/full") }
  }

  @Test func fifosAreWrittenThrough() throws {
    let dir = try TemporaryDirectory()
    let fifo = dir.file("pipe")
    #expect(mkfifo(fifo, 0o600) == 0)
    let t = AnyTensor(Tensor<Double>([3, 4, 5]))
    let reader = Thread {
      // Read to end of file with plain read(2), then publish the bytes.
      let fd = open(fifo, O_RDONLY)
      var bytes: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 4096)
      while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
      }
      close(fd)
      try? Data(bytes).write(to: URL(fileURLWithPath: fifo + ".copy"))
    }
    reader.start()
    try NPY.write(t, to: fifo)
    // Up to a minute: a loaded machine (or a sanitizer run) may be slow to schedule the reader.
    for _ in 0..<6000 where !FileManager.default.fileExists(atPath: fifo + ".copy") { usleep(10_000) }
    #expect(try NPY.read(contentsOf: fifo + ".copy") == t)
    var info = stat()
    stat(fifo, &info)
    #expect(info.st_mode & S_IFMT == S_IFIFO)
  }

  /// Several files: nothing is renamed unless all were written; a failure removes every temporary.
  @Test func severalFilesAreCommittedTogether() throws {
    let dir = try TemporaryDirectory()
    let a = try dir.write([1], to: "a.npy")
    let b = try dir.write([2], to: "b.npy")
    let fa = try StagedFile(path: a)
    let fb = try StagedFile(path: b)
    try fa.write([9, 9])
    try fb.write([8, 8])
    #expect(try dir.contents().count == 4)  // two temporaries beside the files
    fb.discard()  // b's write "failed"
    // A device written at commit fails (ENOSPC) before any regular file is renamed.
    let full = try StagedFile(path: "/dev/full")
    try full.write([1])
    #expect(throws: NPYError.self) { try StagedFile.commitAll([fa, full]) }
    #expect(try dir.read("a.npy") == [1] && dir.read("b.npy") == [2])
    #expect(try dir.contents() == ["a.npy", "b.npy"])
    let ga = try StagedFile(path: a)
    let gb = try StagedFile(path: b)
    try ga.write([7])
    try gb.write([6])
    try StagedFile.commitAll([ga, gb])
    #expect(try dir.read("a.npy") == [7] && dir.read("b.npy") == [6])
    #expect(try dir.contents() == ["a.npy", "b.npy"])
  }
}
