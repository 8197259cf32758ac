import Foundation
import SystemPackage
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

/// The two helpers over swift-system: `stat`/`lstat` as a value, and the one raw call, `fsync`.
@Suite struct POSIXTests {
  @Test func statFollowsSymbolicLinksUnlessAskedNotTo() throws {
    let dir = try TemporaryDirectory()
    let file = try dir.write([1, 2, 3, 4, 5], to: "f")
    let link = dir.file("l")
    #expect(symlink(file, link) == 0)
    let followed = try POSIX.stat(link).get()
    #expect(followed.type == .regular && followed.size == 5)
    let itself = try POSIX.stat(link, followingSymlink: false).get()
    #expect(itself.type == .symbolicLink)
    #expect(try POSIX.stat(dir.path).get().type == .directory)
    #expect(throws: Errno.noSuchFileOrDirectory) { try POSIX.stat(dir.file("missing")).get() }
    #expect(throws: Errno.notDirectory) { try POSIX.stat(file + "/below").get() }
  }

  @Test func fsyncReportsWhatCannotBeSynced() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write([9], to: "s")
    let fd = try FileDescriptor.open(path, .readWrite, options: .closeOnExec)
    #expect(POSIX.fsync(fd) == nil)
    try fd.close()
    let (r, w) = try FileDescriptor.pipe()
    defer {
      try? r.close()
      try? w.close()
    }
    #if os(Linux)
      #expect(POSIX.fsync(w) == .invalidArgument, "a pipe cannot be synced (EINVAL on Linux)")
    #else
      #expect(POSIX.fsync(w) != nil)
    #endif
  }
}
