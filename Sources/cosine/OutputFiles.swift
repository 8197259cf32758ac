import CosineKit
import Foundation
import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The output files of a command, declared with the option that names each and the command's
/// input files, and checked **before** the command computes anything.
///
/// Usage in a command's `run()`:
/// ```swift
/// try OutputPlan.declare(["-o": output.output, "--grad1": gradients.grad1], inputs: [x1, x2])
/// ... compute ...
/// var out = Outputs()
/// out.add(AnyTensor(value), to: output.output)
/// try out.commit()
/// ```
/// Checks: an empty path; a directory (or a path ending in `/`); a missing or unwritable
/// directory; an existing read-only file; two outputs naming the same file, and an output naming
/// an input — by resolved path (symbolic links, dangling ones too, and `./` resolved) and by
/// device and inode. A symbolic link is written through: its final target is replaced and the
/// link survives (a loop is refused).
/// Character devices (`/dev/null`) may be named more than once.
struct OutputPlan: Sendable {
  /// The declared outputs: option and path, in order.
  let outputs: [(option: String, path: String)]
  /// Input files (nil entries are options not given).
  let inputs: [String]

  /// The plan of this process's command, set by ``declare(_:inputs:)`` (behind a lock: tests
  /// run commands on several threads).
  private static let declared = LockedValue<OutputPlan?>(nil)
  static var current: OutputPlan? { declared.withLock { $0 } }

  /// Declares and checks the outputs of the running command (see the type's documentation).
  ///
  /// - Throws: ``CLIError`` naming the option, the file and what is wrong.
  static func declare(_ outputs: KeyValuePairs<String, String?>, inputs: [String?]) throws {
    let plan = OutputPlan(
      outputs: outputs.compactMap { o in o.value.map { (o.key, $0) } }, inputs: inputs.compactMap { $0 })
    try plan.check()
    declared.withLock { $0 = plan }
  }

  /// The option a path was declared under (`"output"` if it was not declared).
  func option(for path: String) -> String {
    outputs.first { $0.path == path }?.option ?? "output"
  }

  /// Checks every destination and the same-file rules.
  func check() throws {
    for (option, path) in outputs {
      guard !path.isEmpty else { throw CLIError("\(option): the path is empty (give a file name)") }
      do { try StagedFile.checkDestination(path) } catch let e as NPYError {
        throw CLIError("\(option) \(e.description)")
      }
    }
    var seen: [(String, FileIdentity)] = []
    for (option, path) in outputs {
      let id = FileIdentity(path)
      if id.isCharacterDevice { continue }
      if let other = seen.first(where: { $0.1.overlaps(id) }) {
        throw CLIError(
          "\(option) \(path) and \(other.0) \(other.1.path) name the same file; give each output its own file"
        )
      }
      if let input = inputs.first(where: { FileIdentity($0).overlaps(id) }) {
        throw CLIError("\(option) \(path) names the input file \(input); write the result to another file")
      }
      seen.append((option, id))
    }
  }
}

/// What identifies a file: its resolved path(s) and, if it exists, its device and inode.
struct FileIdentity {
  let path: String
  private var names: Set<String> = []
  private var node: (device: DeviceID, inode: Inode)?
  private(set) var isCharacterDevice = false

  init(_ path: String) {
    self.path = path
    let (directory, name) = Self.split(path)
    if let dir = Self.resolved(directory.isEmpty ? "." : directory) { names.insert(dir + "/" + name) }
    // Where a symbolic link (dangling or not) finally leads: an output written through a link
    // lands there, so a link and its target name one file.
    if let final = try? StagedFile.linkTarget(path) {
      let (d, n) = Self.split(final)
      if let dir = Self.resolved(d.isEmpty ? "." : d) { names.insert(dir + "/" + n) }
    }
    if let full = Self.resolved(path) { names.insert(full) }
    if let info = try? Stat(FilePath(path)) {
      node = (info.deviceID, info.inode)
      isCharacterDevice = info.type == .characterSpecial
    }
  }

  /// Whether both name the same file.
  func overlaps(_ other: FileIdentity) -> Bool {
    if let a = node, let b = other.node, a.device == b.device, a.inode == b.inode { return true }
    return !names.isDisjoint(with: other.names)
  }

  static func split(_ path: String) -> (String, String) {
    guard let slash = path.lastIndex(of: "/") else { return ("", path) }
    return (String(path[..<slash]).isEmpty ? "/" : String(path[..<slash]), String(path[path.index(after: slash)...]))
  }

  /// `realpath(3)`, or nil if the path does not exist.
  static func resolved(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    let s = String(cString: p)
    return s == "/" ? "" : s
  }
}

/// Results of a command: written as files, or printed.
struct Outputs {
  private var files: [(write: (StagedFile) throws -> Void, path: String)] = []
  private var selfWritten: [(write: (String) throws -> Void, path: String)] = []

  /// Queues a tensor for `path` as `.npy`. Nothing is written until ``commit()``, so a failure
  /// while computing a later result leaves every output untouched.
  mutating func add(_ t: AnyTensor, to path: String?) {
    if let path { files.append(({ try NPY.write(t, into: $0) }, path)) }
  }

  /// Queues indices (stored as whole numbers in a Double tensor) for `path`, as int64.
  mutating func addIndices(_ t: Tensor<Double>, to path: String?) {
    if let path {
      files.append(({ try NPY.writeInt64(t.scalars.map { Int64($0) }, shape: t.shape, into: $0) }, path))
    }
  }

  /// Queues whole-number ids for `path` as an int64 `.npy` of `shape`.
  mutating func addInt64(_ values: [Int], shape: [Int], to path: String?) {
    if let path { files.append(({ try NPY.writeInt64(values.map { Int64($0) }, shape: shape, into: $0) }, path)) }
  }

  /// Queues a file that manages its own atomic write (an index file, which may be updated in
  /// place): `write(path)` runs at ``commit()`` after every staged file was committed. Use it
  /// only for a command's single output.
  mutating func addFile(_ path: String?, _ write: @escaping (String) throws -> Void) {
    if let path { selfWritten.append((write, path)) }
  }

  /// Queues raw bytes (a model file, a report) for `path`.
  mutating func add(bytes: [UInt8], to path: String?) {
    if let path { files.append(({ try $0.write(bytes) }, path)) }
  }

  /// Queues a writer that streams a file's contents into its staged file (for outputs too large
  /// to build in memory first): `write` is called at ``commit()``, with the others.
  mutating func add(to path: String?, writer write: @escaping (StagedFile) throws -> Void) {
    if let path { files.append((write, path)) }
  }

  /// Writes every queued file as one: all destinations are checked again (with the declared
  /// plan's same-file rules), every file is written to its temporary file, and only when all were
  /// written completely are they renamed into place (devices and FIFOs are written last). On any
  /// failure no existing file is replaced and no temporary file is left.
  func commit() throws {
    let declared = OutputPlan.current
    let plan = OutputPlan(
      outputs: files.map { (declared?.option(for: $0.path) ?? "output", $0.path) }, inputs: declared?.inputs ?? [])
    try plan.check()
    var staged: [StagedFile] = []
    do {
      for f in files {
        let s = try StagedFile(path: f.path)
        staged.append(s)
        try f.write(s)
      }
      try StagedFile.commitAll(staged)
    } catch {
      for s in staged { s.discard() }
      if let e = error as? NPYError { throw CLIError("\(plan.option(for: e.path)) \(e.description)") }
      throw error
    }
    for f in selfWritten { try f.write(f.path) }
  }
}

/// Writes (or prints) a command's result and, if asked, the gradients of its sum.
func emit<T: TensorScalar>(
  _ value: Tensor<T>, pullback: (Tensor<T>) throws -> (Tensor<T>, Tensor<T>),
  output: OutputOptions, gradients: GradientOptions
) throws {
  var out = Outputs()
  out.add(AnyTensor(value), to: output.output)
  if gradients.wanted {
    let (g1, g2) = try pullback(try Tensor<T>(shape: value.shape, repeating: 1))
    out.add(AnyTensor(g1), to: gradients.grad1)
    out.add(AnyTensor(g2), to: gradients.grad2)
  }
  try out.commit()
  if output.output == nil { printTensor(value) }
}

/// Readable text for a tensor: a number for rank 0, one line per row otherwise.
func printTensor<T: TensorScalar>(_ t: Tensor<T>) {
  let s = t.shape
  if s.isEmpty {
    print(format(t.scalars[0]))
    return
  }
  let width = s.last ?? 0
  if t.count == 0 {
    print("(empty, shape \(Shape.describe(s)))")
    return
  }
  let rows = width == 0 ? 0 : t.count / width
  for r in 0..<rows {
    let line = (0..<width).map { format(t.scalars[r * width + $0]) }.joined(separator: " ")
    print(line)
  }
}

/// The shortest text that reads back as the same value.
func format<T: TensorScalar>(_ v: T) -> String { String(describing: v) }
