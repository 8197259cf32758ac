#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Musl)
  @preconcurrency import Musl
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// Flushes standard output and reports a failed write (a full disk, `> /dev/full`, a closed
/// descriptor) as an error: results that could not be printed are not a success.
///
/// - Throws: ``CLIError`` "cannot write to standard output: <reason>".
func checkStandardOutput() throws {
  let out = stdout
  if fflush(out) != 0 || ferror(out) != 0 {
    let code = errno
    clearerr(out)
    throw CLIError("cannot write to standard output: \(code == 0 ? "write error" : String(cString: strerror(code)))")
  }
}
