#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file atomically: readers of `path` see either the old contents or the complete
/// new contents, never a partial file.
///
/// The new contents go to a temporary file created (exclusively, with mode `0666 & ~umask`)
/// in the same directory as `path`, which is flushed with `fsync` and then renamed over
/// `path` with `rename(2)`; finally the directory is synced (best effort) so the rename is
/// durable. On any failure the temporary file is removed and an existing file at `path` is
/// left untouched. A symbolic link at `path` is replaced by the new file, not followed.
enum AtomicFile {
  /// Sequential writes to the temporary file.
  struct Writer {
    fileprivate let fd: CInt

    /// A writer on an already open descriptor, for tests of error reporting.
    init(fdForTesting fd: CInt) { self.fd = fd }
    fileprivate init(fd: CInt) { self.fd = fd }

    /// Writes all of `bytes`, retrying after interruptions and short writes.
    ///
    /// - Throws: ``NPYProblem`` if the system refuses the write (disk full, I/O error, …).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
      guard let base = bytes.baseAddress else { return }
      var done = 0
      while done < bytes.count {
        let n = systemWrite(fd, base + done, bytes.count - done)
        if n < 0 {
          let code = errno
          if code == EINTR { continue }
          throw NPYProblem("cannot write: \(POSIX.describe(code))")
        }
        if n == 0 { throw NPYProblem("cannot write: the system wrote no bytes") }
        done += n
      }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws {
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
  ///   being a directory), or whatever `body` throws.
  static func write(to path: String, _ body: (Writer) throws -> Void) throws {
    try NPYError.naming(path) {
      try replace(path, body)
    }
  }

  /// The directory part of `path` including its trailing slash (`""` for a bare name) and the
  /// file name.
  static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return ("", path) }
    return (String(path[...slash]), String(path[path.index(after: slash)...]))
  }

  private static func replace(_ path: String, _ body: (Writer) throws -> Void) throws {
    let (directory, name) = split(path)
    guard !name.isEmpty, name != ".", name != ".." else {
      throw NPYProblem("cannot write: the path names a directory, not a file")
    }
    let (fd, temporary) = try createTemporary(directory: directory, name: name)
    var open = true
    do {
      try body(Writer(fd: fd))
      while fsync(fd) != 0 {
        let code = errno
        if code == EINTR { continue }
        throw NPYProblem("cannot flush to disk: \(POSIX.describe(code))")
      }
      open = false
      guard POSIX.close(fd) == 0 else {
        throw NPYProblem("cannot close the temporary file: \(POSIX.describe(errno))")
      }
      guard rename(temporary, path) == 0 else {
        let code = errno
        throw NPYProblem(
          code == EISDIR ? "cannot replace a directory with a file" : "cannot rename the temporary file into place: \(POSIX.describe(code))")
      }
    } catch {
      if open { POSIX.close(fd) }
      unlink(temporary)
      throw error
    }
    syncDirectory(directory.isEmpty ? "." : directory)
  }

  /// Creates `<directory>.<name>.tmp-<random>` exclusively; retries on a name collision.
  private static func createTemporary(directory: String, name: String) throws -> (CInt, String) {
    // Keep the temporary name within NAME_MAX even for long file names.
    let stem = name.utf8.count > 180 ? String(name.prefix(40)) : name
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<100 {
      let suffix = String(generator.next() as UInt64, radix: 16)
      let candidate = "\(directory).\(stem).tmp-\(suffix)"
      let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if fd >= 0 { return (fd, candidate) }
      let code = errno
      if code == EEXIST || code == EINTR { continue }
      switch code {
      case ENOENT, ENOTDIR:
        throw NPYProblem("cannot write: the directory \(directory.isEmpty ? "." : "'\(directory)'") does not exist")
      case EACCES, EPERM, EROFS:
        throw NPYProblem("cannot write: no permission to create files in \(directory.isEmpty ? "the current directory" : "'\(directory)'") (\(POSIX.describe(code)))")
      default:
        throw NPYProblem("cannot create a temporary file next to it: \(POSIX.describe(code))")
      }
    }
    throw NPYProblem("cannot create a temporary file next to it: 100 names were taken")
  }

  /// `fsync` on the directory so that the rename survives a crash. Failure is ignored: the
  /// file has already been replaced.
  private static func syncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    POSIX.close(fd)
  }
}

/// `write(2)`, under a name that does not clash with the methods above.
private func systemWrite(_ fd: CInt, _ p: UnsafeRawPointer, _ n: Int) -> Int {
  write(fd, p, n)
}
