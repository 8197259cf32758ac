// Without libFuzzer (a plain `swift build`), NPYFuzz is an ordinary program that runs files
// through the same checks as the fuzzer: `swift run NPYFuzz crash-1234 Fuzz/corpus/npy`.
// Scripts/fuzz.sh builds with `-sanitize=fuzzer -DNPY_LIBFUZZER`; then `main` hands over to
// libFuzzer's driver. (SwiftPM links executables with `main` bound to this module's entry
// point, so libFuzzer's own `main` cannot be used.)
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reproduces fuzzer inputs without libFuzzer.
@main
enum NPYFuzzStandalone {
  /// Runs every file named on the command line (directories: every file in them) through
  /// ``checkDecode(_:)``. Exits with status 2 if a file cannot be read; a failed check traps.
  static func main() {
    #if NPY_LIBFUZZER
      exit(runLibFuzzer())
    #else
      runStandalone()
    #endif
  }

  static func runStandalone() {
    let arguments = CommandLine.arguments.dropFirst()
    guard !arguments.isEmpty else {
      print("usage: NPYFuzz FILE_OR_DIRECTORY...   (runs inputs through the NPY fuzz checks)")
      exit(2)
    }
    var files: [String] = []
    for argument in arguments {
      if let entries = directoryEntries(argument) {
        files += entries.map { argument.hasSuffix("/") ? argument + $0 : argument + "/" + $0 }
      } else {
        files.append(argument)
      }
    }
    var failures = 0
    for file in files {
      guard let bytes = readFile(file) else {
        print("\(file): cannot read")
        failures += 1
        continue
      }
      bytes.withUnsafeBytes { check($0) }
    }
    print("checked \(files.count - failures) inputs")
    exit(failures == 0 ? 0 : 2)
  }

  /// The names in `path` (sorted, without `.` and `..`), or nil if it is not a directory.
  static func directoryEntries(_ path: String) -> [String]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// The whole file, or nil.
  static func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
      if n == 0 { break }
      out += buffer[0..<n]
    }
    return ferror(f) == 0 ? out : nil
  }
}

#if NPY_LIBFUZZER
  /// `int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size))`
  /// from libclang_rt.fuzzer, declared with the C calling convention.
  @_extern(c, "LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  extension NPYFuzzStandalone {
    /// Runs libFuzzer with the process's arguments and ``fuzz(_:_:)`` as the target.
    static func runLibFuzzer() -> CInt {
      var argc = CommandLine.argc
      var argv = CommandLine.unsafeArgv
      return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
    }
  }
#endif
