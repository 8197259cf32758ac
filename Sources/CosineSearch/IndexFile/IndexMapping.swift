import CosineCore
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

/// A whole file mapped read-only into memory, unmapped with the object.
package final class IndexMapping: @unchecked Sendable {
  package let base: UnsafeRawPointer
  package let size: Int
  /// The open file, for reading a few rows with `pread` rather than through the mapping.
  package let fd: FileDescriptor

  /// Maps `path`.
  ///
  /// - Throws: ``NPYProblem`` for a missing, unreadable, non-regular or unmappable file.
  package init(path: String) throws {
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
    } catch {
      let code = error as? Errno ?? .ioError
      throw NPYProblem(code == .noSuchFileOrDirectory ? "no such file" : "cannot open: \(POSIX.describe(code))")
    }
    var problem: NPYProblem?
    var fileSize = 0
    do {
      let info = try Stat(fd)
      fileSize = Int(info.size)
      if info.type == .directory {
        problem = NPYProblem("is a directory, not an index file")
      } else if info.type != .regular {
        problem = NPYProblem("not a regular file")
      } else if fileSize < IndexFileFormat.dataStart {
        problem = NPYProblem(
          "truncated: \(fileSize) bytes, shorter than the two \(IndexFileFormat.slotSize)-byte header slots of an index file"
        )
      }
    } catch {
      problem = NPYProblem("cannot stat: \(POSIX.describe(error))")
    }
    let p = problem == nil ? mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, fd.rawValue, 0) : nil
    if problem == nil && (p == nil || p == MAP_FAILED) {
      problem = NPYProblem("cannot map into memory: \(POSIX.describe(errno))")
    }
    if let problem {
      try? fd.close()
      throw problem
    }
    size = fileSize
    base = UnsafeRawPointer(p!)
    self.fd = fd
  }

  /// Fills `buffer` with the file's bytes at `offset` (`pread`), false on failure.
  package func read(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
    (try? fd.readFully(fromAbsoluteOffset: offset, into: buffer)) == buffer.count
  }

  /// Tells the kernel that `[offset, offset + count)` is read at random (no read-ahead), so
  /// rescoring a few rows does not page in their neighbours.
  package func adviseRandom(_ offset: Int, _ count: Int) {
    #if canImport(Glibc) || canImport(Musl)
      let page = Int(sysconf(Int32(_SC_PAGESIZE)))
      let lo = offset / page * page
      let hi = Swift.min(size, offset + count)
      if hi > lo { madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, MADV_RANDOM) }
    #endif
  }

  deinit {
    munmap(UnsafeMutableRawPointer(mutating: base), size)
    try? fd.close()
  }
}
