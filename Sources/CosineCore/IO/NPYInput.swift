#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

/// Random-access bytes the reader decodes: an open file or a buffer in memory.
///
/// The reader learns ``size`` first and validates the header against it, so it never
/// asks for bytes (or allocates for them) before knowing they exist.
package protocol NPYInput {
  /// The total number of bytes.
  var size: Int { get }
  /// Fills `buffer` with the bytes starting at `offset`.
  ///
  /// - Throws: ``NPYProblem`` if the bytes cannot be read (I/O error, or a file that shrank).
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws
}

/// Bytes already in memory.
package struct MemoryInput: NPYInput {
  package let bytes: UnsafeRawBufferPointer

  package init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
  package var size: Int { bytes.count }

  package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
    guard offset >= 0, buffer.count <= bytes.count, offset <= bytes.count - buffer.count else {
      throw NPYProblem("internal error: read of \(buffer.count) bytes at offset \(offset) beyond \(bytes.count) bytes")
    }
    guard buffer.count > 0 else { return }
    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + buffer.count)]))
  }
}

/// A regular file opened read-only. Its size is taken once, with `fstat` (swift-system's `Stat`),
/// when it is opened.
package final class FileInput: NPYInput {
  package let fd: FileDescriptor
  package let size: Int

  /// Opens `path` for reading after checking that it is an existing regular file.
  ///
  /// - Throws: ``NPYProblem`` "no such file", "is a directory", "permission denied", …
  package init(path: String) throws {
    let info: Stat
    switch POSIX.stat(path) {
    case .success(let s): info = s
    case .failure(let e): throw FileInput.openProblem(e.rawValue)
    }
    guard info.type != .directory else {
      throw NPYProblem("is a directory, not a .npy file")
    }
    guard info.type == .regular else {
      throw NPYProblem("not a regular file (a device, pipe or socket cannot be read as .npy)")
    }
    let fd: FileDescriptor
    do {
      // Non-blocking: a FIFO swapped in never blocks.
      fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec, .nonBlocking])
    } catch {
      throw FileInput.openProblem((error as? Errno)?.rawValue ?? EIO)
    }
    // The file may have been replaced between stat and open: check what was opened.
    let opened: Stat
    do {
      opened = try Stat(fd)
    } catch {
      try? fd.close()
      throw NPYProblem("cannot inspect the opened file: \(POSIX.describe(error))")
    }
    guard opened.type == .regular, opened.size >= 0 else {
      try? fd.close()
      throw NPYProblem("not a regular file (it was replaced while being opened)")
    }
    self.fd = fd
    self.size = Int(opened.size)
  }

  deinit { try? fd.close() }

  private static func openProblem(_ code: CInt) -> NPYProblem {
    switch code {
    case ENOENT: NPYProblem("no such file")
    case EACCES, EPERM: NPYProblem("permission denied: the file cannot be read")
    case ENOTDIR: NPYProblem("no such file (a component of the path is not a directory)")
    case EISDIR: NPYProblem("is a directory, not a .npy file")
    default: NPYProblem("cannot open: \(POSIX.describe(code))")
    }
  }

  package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
    let n: Int
    do {
      n = try fd.readFully(fromAbsoluteOffset: offset, into: buffer)
    } catch {
      throw NPYProblem("read error at byte \(error.offset): \(POSIX.describe(error.errno))")
    }
    guard n == buffer.count else {
      throw NPYProblem(
        "file changed while being read: it ended at byte \(offset + n) but had \(size) bytes when opened")
    }
  }
}
