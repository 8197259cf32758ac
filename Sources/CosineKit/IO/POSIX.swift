#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

/// Small helpers around the POSIX calls the `.npy` reader and writer use.
enum POSIX {
  /// The current `errno` as text, e.g. `"No such file or directory (errno 2)"`.
  static func describe(_ code: CInt) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: text)) (errno \(code))"
  }

  /// `error` as text, e.g. `"No such file or directory (errno 2)"`.
  static func describe(_ error: Errno) -> String { describe(error.rawValue) }

  /// The file type bits of a `stat` mode.
  static func fileType(_ mode: mode_t) -> mode_t { mode & mode_t(S_IFMT) }
  static func isDirectory(_ mode: mode_t) -> Bool { fileType(mode) == mode_t(S_IFDIR) }
  static func isRegular(_ mode: mode_t) -> Bool { fileType(mode) == mode_t(S_IFREG) }

  /// `close(2)` that retries nothing (retrying after EINTR is wrong on Linux) and reports failure.
  @discardableResult
  static func close(_ fd: CInt) -> CInt {
    #if canImport(Glibc)
      return Glibc.close(fd)
    #elseif canImport(Musl)
      return Musl.close(fd)
    #else
      return Darwin.close(fd)
    #endif
  }
}
