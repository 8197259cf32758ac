#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

/// Replaces a file atomically: readers of `path` see either the old contents or the complete
/// new contents, never a partial file.
///
/// A one-file form of ``StagedFile``: the new contents go to a temporary file created
/// (exclusively, with mode `0666 & ~umask`, or the replaced file's permission bits) in the same
/// directory as `path`, which is flushed with `fsync` and then renamed over `path` with
/// `rename(2)`; finally the directory is synced (best effort) so the rename is durable. On any
/// failure the temporary file is removed and an existing file at `path` is left untouched. A
/// symbolic link at `path` is followed (the link survives and leads to the new file); a device,
/// FIFO or `/dev/stdout` is written through; a read-only file or a directory is refused (see
/// ``StagedFile`` for the rules).
package enum AtomicFile {
  /// Sequential writes to the temporary file.
  package struct Writer {
    fileprivate let fd: CInt
    fileprivate let staged: StagedFile?

    /// A writer on an already open descriptor, for tests of error reporting.
    package init(fdForTesting fd: CInt) {
      self.fd = fd
      staged = nil
    }
    package init(staged: StagedFile) {
      fd = -1
      self.staged = staged
    }

    /// Writes all of `bytes`, retrying after interruptions and short writes.
    ///
    /// - Throws: ``NPYProblem`` if the system refuses the write (disk full, I/O error, …).
    package func write(_ bytes: UnsafeRawBufferPointer) throws {
      if let staged {
        try staged.write(bytes)
        return
      }
      do {
        try FileDescriptor(rawValue: fd).writeAll(raw: bytes)
      } catch {
        throw NPYProblem("cannot write: \(POSIX.describe(error as? Errno ?? .ioError))")
      }
    }

    /// Writes all of `bytes`.
    package func write(_ bytes: [UInt8]) throws {
      try bytes.withUnsafeBytes { try write($0) }
    }
  }

  /// Replaces `path` with what `body` writes.
  ///
  /// - Parameters:
  ///   - path: The file to create or replace. Its directory must exist.
  ///   - body: Writes the new contents. If it throws, nothing is renamed, the temporary file
  ///     is removed and the error is rethrown (an ``NPYProblem`` as an ``NPYError`` naming `path`).
  /// - Throws: ``NPYError`` naming `path` if the temporary file cannot be created, written,
  ///   synced or renamed (e.g. a missing directory, no permission, a full disk, or `path`
  ///   being a directory or a read-only file), or whatever `body` throws.
  package static func write(to path: String, _ body: (Writer) throws -> Void) throws {
    try NPYError.naming(path) {
      let file = try StagedFile(path: path)
      do {
        try body(Writer(staged: file))
      } catch {
        file.discard()
        throw error
      }
      try file.commit()
    }
  }

  /// The directory part of `path` including its trailing slash (`""` for a bare name) and the
  /// file name.
  package static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return ("", path) }
    return (String(path[...slash]), String(path[path.index(after: slash)...]))
  }
}
