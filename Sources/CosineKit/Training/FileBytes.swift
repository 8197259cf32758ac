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
    guard let f = fopen(path, "rb") else {
      throw TrainingFileError(path: path, message: "cannot open: \(reason(errno))")
    }
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

  /// Replaces `path` with `bytes` atomically (see `AtomicFile`): readers never see a partial
  /// file, and on failure an existing file at `path` is left untouched.
  ///
  /// - Throws: ``TrainingFileError`` naming `path` with the system's reason.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    do {
      try AtomicFile.write(to: path) { try $0.write(bytes) }
    } catch let e as NPYError {
      throw TrainingFileError(path: e.path, message: e.message)
    }
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

  /// Creates an error. Control characters in either part (they may come from the file) are
  /// escaped, so the error is always one line.
  public init(path: String, message: String) {
    self.path = SingleLine.escaping(path)
    self.message = SingleLine.escaping(message)
  }

  /// `"<path>: <message>"`.
  public var description: String { "\(path): \(message)" }
}
