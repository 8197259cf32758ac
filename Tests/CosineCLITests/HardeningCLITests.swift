import CosineKit
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The `cosine` executable under hostile input, signals, memory limits and odd destinations:
/// one line on stderr and an exit status 1–127, never a crash, a hang, a lost or half-written
/// file or a temporary left behind.
@Suite(.serialized) final class HardeningCLITests {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-hardening")

  deinit { try? FileManager.default.removeItem(atPath: dir) }

  struct Result {
    let status: Int32
    let stdout: Data
    let stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
  }

  /// Runs the binary (optionally under `ulimit -v KB`), killing it after `timeout` seconds.
  func run(
    _ args: [String], memoryLimitKB: Int? = nil, stdout: FileHandle? = nil, timeout: Double = 120,
    whileRunning: ((Process) -> Void)? = nil
  ) throws -> Result {
    let p = Process()
    if let kb = memoryLimitKB {
      p.executableURL = URL(fileURLWithPath: "/bin/sh")
      p.arguments = ["-c", "ulimit -v \(kb) && exec \"$0\" \"$@\"", CLITestSupport.binary] + args
    } else {
      p.executableURL = URL(fileURLWithPath: CLITestSupport.binary)
      p.arguments = args
    }
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = stdout ?? out
    p.standardError = err
    try p.run()
    let deadline = DispatchTime.now() + timeout
    DispatchQueue.global().asyncAfter(deadline: deadline) { if p.isRunning { p.terminate() } }
    whileRunning?(p)
    let o = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(status: p.terminationStatus, stdout: o, stderr: String(decoding: e, as: UTF8.self))
  }

  func path(_ name: String) -> String { dir + "/" + name }

  @discardableResult
  func save<T: TensorScalar>(_ t: Tensor<T>, _ name: String) throws -> String {
    try NPY.write(AnyTensor(t), to: path(name))
    return path(name)
  }

  func bytes(_ name: String) -> [UInt8]? { FileManager.default.contents(atPath: path(name)).map { [UInt8]($0) } }

  /// Names in the directory that look like temporary files.
  func temporaries() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") }
  }

  /// A clean failure: status 1–127, one line on stderr naming `culprits`, no backtrace.
  func expectCleanFailure(
    _ r: Result, naming culprits: [String], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(r.status >= 1 && r.status <= 127, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
    for c in culprits {
      #expect(r.stderr.contains(c), "'\(c)' not in: \(r.stderr)", sourceLocation: sourceLocation)
    }
  }

  func small() throws -> (String, String) {
    var g = SeededGenerator(seed: 3)
    let a = try Tensor<Float>(shape: [4, 3], scalars: (0..<12).map { _ in Float(g.nextUniform() * 2 - 1) })
    let b = try Tensor<Float>(shape: [4, 3], scalars: (0..<12).map { _ in Float(g.nextUniform() * 2 - 1) })
    return (try save(a, "a.npy"), try save(b, "b.npy"))
  }

  // MARK: 1. Allocation bombs

  @Test func allocationBombsAreRefusedBeforeAllocating() throws {
    let x = try save(try Tensor<Float>(shape: [100_000, 1, 8], repeating: 1), "x.npy")
    let y = try save(try Tensor<Float>(shape: [1, 100_000, 8], repeating: 1), "y.npy")
    expectCleanFailure(
      try run(["similarity", x, y, "-o", "s.npy"]), naming: ["[100000, 1, 8]", "[1, 100000, 8]", "bytes"])
    let m = try save(try Tensor<Float>(shape: [1 << 31, 0], scalars: []), "m.npy")
    expectCleanFailure(try run(["matrix", m, m]), naming: ["m.npy", "[2147483648, 2147483648]"])
    for layers in ["1000000000000", "9223372036854775807", "64,100000000000"] {
      let (a, b) = try small()
      expectCleanFailure(try run(["train", a, b, "--layers", layers, "-o", "t.json"]), naming: ["--layers"])
    }
    #expect(bytes("s.npy") == nil && bytes("t.json") == nil && temporaries().isEmpty)
  }

  /// [2^40, 0]: zero elements. Normalize finishes at once; similarity (2^40 results) and the
  /// loss are refused with a message; a search over 2^40 empty rows answers at once.
  @Test func zeroElementShapesFinishAtOnce() throws {
    let e = try save(try Tensor<Float>(shape: [1 << 40, 0], scalars: []), "e.npy")
    let n = try run(["normalize", e, "-o", "n.npy"], timeout: 60)
    #expect(n.status == 0, "\(n.stderr)")
    #expect(try NPY.read(contentsOf: path("n.npy")).shape == [1 << 40, 0])
    expectCleanFailure(try run(["similarity", e, e], timeout: 60), naming: ["e.npy", "[1099511627776, 0]"])
    expectCleanFailure(try run(["loss", "--kind", "keras", e, e], timeout: 60), naming: ["e.npy"])
    let q = try save(try Tensor<Float>(shape: [1, 0], scalars: []), "q.npy")
    let s = try run(["search", "--corpus", e, "--queries", q, "--top-k", "2", "--format", "tsv"], timeout: 60)
    #expect(s.status == 0, "\(s.stderr)")
    #expect(s.out == "query\trank\tcorpus_id\tscore\n0\t1\t0\t0.0\n0\t2\t1\t0.0\n")
    // 2^40 empty queries: their results alone would need 2^40 rows; refused before any work.
    let one = try save(try Tensor<Float>(shape: [1, 0], scalars: []), "one.npy")
    expectCleanFailure(
      try run(["search", "--corpus", one, "--queries", e], timeout: 60), naming: ["e.npy", "results"])
  }

  /// Whether the binary starts under a 160 MB address-space limit (it does not when built with a
  /// sanitizer, which reserves terabytes of address space for its shadow memory).
  static let startsUnderMemoryLimit: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "ulimit -v 160000 && exec \"$0\" normalize --help", CLITestSupport.binary]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
  }()

  /// Under an address-space limit smaller than the corpus, search streams it in blocks and gives
  /// the same results; reading the whole file is refused with a message, not a crash.
  @Test(.enabled(if: startsUnderMemoryLimit, "the binary needs more address space (sanitizer build)"))
  func memoryLimitedSearchStreamsTheCorpus() throws {
    let n = 32_000
    let d = 768  // 98 MB of float32, more than the limit leaves after the binary
    // Pseudo-random values in [-1, 1) from a multiplicative hash: cheap in a debug build.
    let values = (0..<(n * d)).map { i in
      Float(Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: i &* 2_654_435_761) ^ 0x5bd1_e995) >> 8) / 8_388_608
    }
    let corpus = try save(try Tensor<Float>(shape: [n, d], scalars: values), "corpus.npy")
    let picks = [5, 77, n - 1]
    let q = try Tensor<Float>(shape: [3, d], scalars: picks.flatMap { r in (0..<d).map { values[r * d + $0] + 0.01 } })
    let queries = try save(q, "queries.npy")
    let args = ["search", "--corpus", corpus, "--queries", queries, "--top-k", "3", "--format", "tsv"]
    let free = try run(args)
    let limited = try run(args, memoryLimitKB: 160_000)
    #expect(free.status == 0 && limited.status == 0, "\(limited.stderr)")
    #expect(limited.out == free.out)
    #expect(
      free.out.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[2] }.enumerated()
        .filter { $0.offset % 3 == 0 }.map { Int($0.element)! } == picks)
    let whole = try run(["normalize", corpus, "-o", "n.npy"], memoryLimitKB: 160_000)
    expectCleanFailure(whole, naming: ["corpus.npy", "memory available"])
    #expect(bytes("n.npy") == nil && temporaries().isEmpty)
  }

  // MARK: 2. Hangs: readers take regular files of bounded size

  @Test func readersRefuseFifosDevicesAndDirectories() throws {
    let fifo = path("fifo")
    #expect(mkfifo(fifo, 0o600) == 0)
    let (a, _) = try small()
    expectCleanFailure(try run(["embed", fifo, a, "-o", "e.npy"], timeout: 30), naming: [fifo, "not a regular file"])
    expectCleanFailure(try run(["embed", "/dev/zero", a, "-o", "e.npy"], timeout: 30), naming: ["/dev/zero"])
    expectCleanFailure(try run(["embed", dir, a, "-o", "e.npy"], timeout: 30), naming: ["directory"])
    expectCleanFailure(try run(["normalize", fifo], timeout: 30), naming: [fifo])
    expectCleanFailure(try run(["normalize", "/dev/zero"], timeout: 30), naming: ["/dev/zero"])
  }

  // MARK: 3. Several outputs are written as one

  @Test func aFailingOutputLeavesTheOthersUntouched() throws {
    let (a, b) = try small()
    let keep: [UInt8] = Array("keep me".utf8)
    _ = FileManager.default.createFile(atPath: path("o.npy"), contents: Data(keep))
    try FileManager.default.createDirectory(atPath: path("adir"), withIntermediateDirectories: false)
    for bad in ["missing/g.npy", "adir", "adir/"] {
      let r = try run(["similarity", a, b, "-o", "o.npy", "--grad1", bad])
      expectCleanFailure(r, naming: ["--grad1", bad])
      #expect(bytes("o.npy") == keep && temporaries().isEmpty)
    }
    _ = FileManager.default.createFile(atPath: path("s.npy"), contents: Data(keep))
    let s = try run(["search", "--corpus", a, "--queries", b, "--scores", "s.npy", "--indices", "adir"])
    expectCleanFailure(s, naming: ["--indices"])
    #expect(bytes("s.npy") == keep && temporaries().isEmpty)
  }

  // MARK: 4. Same file under two names

  @Test func sameFileUnderTwoNamesIsRefused() throws {
    let (a, b) = try small()
    let keep: [UInt8] = Array("keep me".utf8)
    _ = FileManager.default.createFile(atPath: path("o.npy"), contents: Data(keep))
    try FileManager.default.createSymbolicLink(atPath: path("link.npy"), withDestinationPath: "o.npy")
    try FileManager.default.createSymbolicLink(atPath: path("in.npy"), withDestinationPath: "a.npy")
    for other in ["./o.npy", path("o.npy"), "link.npy", "../" + (dir as NSString).lastPathComponent + "/o.npy"] {
      expectCleanFailure(try run(["similarity", a, b, "-o", "o.npy", "--grad2", other]), naming: ["same file"])
    }
    expectCleanFailure(try run(["similarity", a, b, "-o", "new.npy", "--grad1", "./new.npy"]), naming: ["same file"])
    expectCleanFailure(try run(["normalize", a, "-o", "in.npy"]), naming: ["input", "in.npy"])
    expectCleanFailure(
      try run(["search", "--corpus", a, "--queries", b, "--indices", "./b.npy"]), naming: ["input", "b.npy"])
    #expect(bytes("o.npy") == keep && bytes("new.npy") == nil && temporaries().isEmpty)
    #expect(try NPY.read(contentsOf: a).shape == [4, 3])
  }

  // MARK: 5. Signals

  /// A signal while outputs are staged (here: the command waits to write a FIFO no one reads)
  /// removes the temporary files and ends with 128 + the signal.
  @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143)), (SIGHUP, Int32(129))])
  func signalsRemoveTemporaries(_ signal: Int32, _ status: Int32) throws {
    let (a, b) = try small()
    let fifo = path("out-\(signal).fifo")
    #expect(mkfifo(fifo, 0o600) == 0)
    let r = try run(["similarity", a, b, "-o", fifo, "--grad1", "g\(signal).npy"], timeout: 60) { p in
      for _ in 0..<3000 where self.temporaries().isEmpty { usleep(10_000) }
      #expect(!self.temporaries().isEmpty, "no temporary file was staged")
      kill(p.processIdentifier, signal)
    }
    #expect(r.status == status, "\(r.stderr)")
    #expect(temporaries().isEmpty && bytes("g\(signal).npy") == nil)
  }

  // MARK: 6. Non-regular and read-only destinations

  @Test func devicesFifosAndReadOnlyFiles() throws {
    let (a, b) = try small()
    let null = try run(["similarity", a, b, "-o", "/dev/null", "--grad1", "/dev/null"])
    #expect(null.status == 0, "\(null.stderr)")
    var info = stat()
    stat("/dev/null", &info)
    #expect(info.st_mode & S_IFMT == S_IFCHR)
    let out = try run(["normalize", a, "-o", "/dev/stdout"])
    #expect(out.status == 0, "\(out.stderr)")
    let decoded = try out.stdout.withUnsafeBytes { try NPY.decode($0, source: "stdout") }
    #expect(decoded.shape == [4, 3])
    expectCleanFailure(try run(["normalize", a, "-o", "/dev/full"]), naming: ["/dev/full"])

    _ = FileManager.default.createFile(atPath: path("ro.npy"), contents: Data([1, 2, 3]))
    chmod(path("ro.npy"), 0o444)
    expectCleanFailure(try run(["normalize", a, "-o", "ro.npy"]), naming: ["ro.npy", "read-only"])
    #expect(bytes("ro.npy") == [1, 2, 3])
    _ = FileManager.default.createFile(atPath: path("p.npy"), contents: Data([1]))
    chmod(path("p.npy"), 0o640)
    #expect(try run(["normalize", a, "-o", "p.npy"]).status == 0)
    stat(path("p.npy"), &info)
    #expect(info.st_mode & 0o777 == 0o640)
    #expect(try NPY.read(contentsOf: path("p.npy")).shape == [4, 3])
  }

  // MARK: 7. Standard output errors

  @Test func failedWritesToStandardOutputAreErrors() throws {
    let (a, b) = try small()
    guard let full = FileHandle(forWritingAtPath: "/dev/full") else { return }
    expectCleanFailure(try run(["normalize", a], stdout: full), naming: ["standard output"])
    expectCleanFailure(
      try run(["search", "--corpus", a, "--queries", b, "--format", "json"], stdout: full), naming: ["standard output"])
  }

  // MARK: 8. Names long in bytes

  @Test func longMultibyteOutputNames() throws {
    let (a, _) = try small()
    let name = String(repeating: "👨‍👩‍👧", count: 13) + ".npy"  // 238 bytes
    let r = try run(["normalize", a, "-o", name])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try NPY.read(contentsOf: path(name)).shape == [4, 3])
    #expect(temporaries().isEmpty)
  }

  // MARK: 9. Messages name the culprit

  @Test func messagesNameTheCulprit() throws {
    let (a, b) = try small()
    let zeros = try save(Tensor<Float>([1, 0, -1, 1]), "zero-target.npy")
    expectCleanFailure(
      try run(["train", a, b, "--loss", "embedding", "--target", zeros, "--epochs", "1", "-o", "m.json"]),
      naming: ["zero-target.npy", "neither 1 nor -1"])
    let labels = try save(Tensor<Float>([0, 0.5, 2, 1]), "labels.npy")
    let mse = try run(["train", a, b, "--loss", "mse", "--target", labels, "--epochs", "1", "-o", "m.json"])
    expectCleanFailure(mse, naming: ["labels.npy", "2.0", "[0, 1]"])
    let huge = try save(
      try Tensor<Double>(shape: [4, 3], scalars: [1e300] + [Double](repeating: 1, count: 11)), "huge.npy")
    expectCleanFailure(
      try run(["train", huge, b, "--epochs", "1", "-o", "m.json"]), naming: ["huge.npy", "out of range for float32"])
    expectCleanFailure(try run(["normalize", a, "-o", ""]), naming: ["-o", "empty"])
    let early = try run(["train", a, b, "--epochs", "3", "-o", "missing-dir/m.json"])
    expectCleanFailure(early, naming: ["missing-dir"])
    #expect(!early.out.contains("epoch"), "trained before checking the output: \(early.out)")
    #expect(bytes("m.json") == nil)

    let dense = #"{"type": "dense", "activation": "linear", "weight": {"shape": [3, 2], "values": [V]}}"#
    func model(_ layers: String) -> String {
      #"{"format": "cosinekit-model", "version": 1, "scalar": "float32", "models": [{"name": "t", "layers": [L]}]}"#
        .replacing("L", with: layers)
    }
    let cases = [
      (
        "axis.json", model(dense.replacing("V", with: "1, 2, 3, 4, 5, 6") + #", {"type": "l2Normalize", "axis": 3}"#),
        "layer 1"
      ),
      (
        "nested.json",
        model(
          dense.replacing("V", with: "1, 2, 3, 4, 5, 6")
            + #", {"type": "sequential", "layers": [D]}"#
            .replacing("D", with: dense.replacing("V", with: "1, 2, 3, 4, 5, 6"))), "layer 1.0"
      ),
      ("nan.json", model(dense.replacing("V", with: #"1, 2, "NaN", 4, 5, 6"#)), "layer 0"),
    ]
    for (name, json, layer) in cases {
      _ = FileManager.default.createFile(atPath: path(name), contents: Data(json.utf8))
      expectCleanFailure(try run(["embed", name, a, "-o", "e.npy"]), naming: [name, layer])
    }
    #expect(bytes("e.npy") == nil)
  }

  /// --eps 0 on zero rows is defined: cosine 0, never -nan.
  @Test func epsZeroOnZeroRowsPrintsZero() throws {
    let z = try save(try Tensor<Float>(rows: [[0, 0], [1, 1]]), "z.npy")
    let r = try run(["similarity", z, z, "--eps", "0"])
    #expect(r.status == 0 && r.out == "0.0 1.0\n", "\(r.out) \(r.stderr)")
  }
}
