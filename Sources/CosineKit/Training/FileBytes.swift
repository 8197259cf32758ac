#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic whole-file writes for model files and reports.
enum FileBytes {
  /// The contents of `path`.
  ///
  /// - Throws: ``TrainingFileError`` naming `path` with the system's reason.
  static func read(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else { throw TrainingFileError(path: path, message: "cannot open: \(reason(errno))") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
      if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
      if n < chunk.count {
        if ferror(f) != 0 { throw TrainingFileError(path: path, message: "cannot read: \(reason(errno))") }
        break
      }
    }
    return bytes
  }

  /// Replaces `path` with `bytes` atomically: a temporary file in the same directory is
  /// written, flushed and renamed over `path`, so readers never see a partial file.
  ///
  /// - Throws: ``TrainingFileError`` naming `path` with the system's reason; on failure an
  ///   existing file at `path` is left untouched.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !name.isEmpty, name != ".", name != ".." else {
      throw TrainingFileError(path: path, message: "cannot write: the path names a directory, not a file")
    }
    var generator = SystemRandomNumberGenerator()
    let temporary = "\(directory).\(name.prefix(100)).tmp-\(String(generator.next() as UInt64, radix: 16))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else {
      let code = errno
      let what = code == ENOENT || code == ENOTDIR ? "the directory does not exist" : reason(code)
      throw TrainingFileError(path: path, message: "cannot write: \(what)")
    }
    var ok = false
    defer { if !ok { unlink(temporary) } }
    var done = 0
    var failure: Int32 = 0
    bytes.withUnsafeBytes { raw in
      while done < raw.count {
        let n = write(fd, raw.baseAddress! + done, raw.count - done)
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        done += n
      }
    }
    if failure == 0 && fsync(fd) != 0 { failure = errno }
    if close(fd) != 0 && failure == 0 { failure = errno }
    if failure != 0 { throw TrainingFileError(path: path, message: "cannot write: \(reason(failure))") }
    guard rename(temporary, path) == 0 else {
      throw TrainingFileError(path: path, message: "cannot write: \(reason(errno))")
    }
    ok = true
  }

  static func reason(_ code: Int32) -> String {
    guard let s = strerror(code) else { return "error \(code)" }
    return String(cString: s).lowercased()
  }
}

/// A file that could not be read, written or understood, with the path it concerns.
public struct TrainingFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file.
  public var path: String
  /// What went wrong, one line.
  public var message: String

  /// Creates an error.
  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  /// `"<path>: <message>"`.
  public var description: String { "\(path): \(message)" }
}
