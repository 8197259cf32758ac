#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

/// Small helpers around the POSIX calls CosineKit's file I/O makes. Files are opened, read,
/// written and inspected (`Stat`) through swift-system; the calls it lacks are wrapped here.
package enum POSIX {
  /// The current `errno` as text, e.g. `"No such file or directory (errno 2)"`.
  package static func describe(_ code: CInt) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: text)) (errno \(code))"
  }

  /// `error` as text, e.g. `"No such file or directory (errno 2)"`.
  package static func describe(_ error: Errno) -> String { describe(error.rawValue) }

  /// `Stat(path)` (swift-system's `stat`, or `lstat` when `followingSymlink` is false), with
  /// the error as a value.
  package static func stat(_ path: String, followingSymlink: Bool = true) -> Result<Stat, Errno> {
    Result { () throws(Errno) in try Stat(FilePath(path), followTargetSymlink: followingSymlink) }
  }

  /// `fsync(2)` on `fd`, retried after `EINTR`: the one raw call of CosineKit's file I/O, because
  /// swift-system 1.8.1 has no sync (its `FileDescriptor` opens, reads, writes, seeks, resizes
  /// and closes; `Stat` inspects).
  ///
  /// - Returns: `nil` once the file's data and metadata reached the device, else the error.
  ///   `EINVAL` and `EROFS` mean the file (a pipe, a device, a read-only file system) cannot be
  ///   synced; callers decide whether that is a failure.
  package static func fsync(_ fd: FileDescriptor) -> Errno? {
    while true {
      #if canImport(Glibc)
        let r = Glibc.fsync(fd.rawValue)
      #elseif canImport(Musl)
        let r = Musl.fsync(fd.rawValue)
      #else
        let r = Darwin.fsync(fd.rawValue)
      #endif
      if r == 0 { return nil }
      let code = Errno(rawValue: errno)
      if code != .interrupted { return code }
    }
  }

  /// `close(2)` that retries nothing (retrying after EINTR is wrong on Linux) and reports failure.
  @discardableResult
  package static func close(_ fd: CInt) -> CInt {
    #if canImport(Glibc)
      return Glibc.close(fd)
    #elseif canImport(Musl)
      return Musl.close(fd)
    #else
      return Darwin.close(fd)
    #endif
  }
}
