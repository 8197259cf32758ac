#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A whole file mapped read-only into memory, unmapped with the object.
final class IndexMapping: @unchecked Sendable {
  let base: UnsafeRawPointer
  let size: Int

  /// Maps `path`.
  ///
  /// - Throws: ``NPYProblem`` for a missing, unreadable, non-regular or unmappable file.
  init(path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      throw NPYProblem(code == ENOENT ? "no such file" : "cannot open: \(POSIX.describe(code))")
    }
    defer { POSIX.close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw NPYProblem("cannot stat: \(POSIX.describe(errno))") }
    guard !POSIX.isDirectory(info.st_mode) else { throw NPYProblem("is a directory, not an index file") }
    guard POSIX.isRegular(info.st_mode) else { throw NPYProblem("not a regular file") }
    size = Int(info.st_size)
    guard size >= IndexFileFormat.dataStart else {
      throw NPYProblem(
        "truncated: \(size) bytes, shorter than the two \(IndexFileFormat.slotSize)-byte header slots of an index file")
    }
    guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw NPYProblem("cannot map into memory: \(POSIX.describe(errno))")
    }
    base = UnsafeRawPointer(p)
  }

  /// Tells the kernel that `[offset, offset + count)` is read at random (no read-ahead), so
  /// rescoring a few rows does not page in their neighbours.
  func adviseRandom(_ offset: Int, _ count: Int) {
    #if canImport(Glibc) || canImport(Musl)
      let page = Int(sysconf(Int32(_SC_PAGESIZE)))
      let lo = offset / page * page
      let hi = Swift.min(size, offset + count)
      if hi > lo { madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, MADV_RANDOM) }
    #endif
  }

  deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }
}
