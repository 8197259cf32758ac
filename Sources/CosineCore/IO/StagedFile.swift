#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

/// One output file written in two phases: first everything goes to a temporary file next to
/// the destination, then ``commit()`` renames it into place. Several staged files are made
/// visible together with ``commitAll(_:)`` only after all of them were written completely.
///
/// Destinations are treated as a shell redirect would treat them, checked by
/// ``checkDestination(_:)`` before anything is created:
/// - a missing file is created (its directory must exist and be writable);
/// - an existing regular file is replaced atomically and keeps its permission bits; one without
///   write permission (mode bits or `access(2)`) is refused, also for root;
/// - a directory (or `""`, `"."`, `".."`, a path ending in `/`) is refused;
/// - a character device, FIFO or socket (`/dev/null`, `/dev/stdout` on a terminal or pipe) is
///   written through, never replaced by a regular file; so are `/dev/stdout`, `/dev/stderr`,
///   `/dev/fd/N` and `/proc/self/fd/N`, which name descriptors already open;
/// - a symbolic link is followed, as a shell redirect follows it, dangling or not (chains too;
///   a relative target is taken from the link's directory): the temporary file is created beside
///   the final target and renamed over it, so the link survives and points at the new data. A
///   loop (or more than 40 links) is refused. A chain through `/proc/self/fd` or `/dev/fd` names
///   an open descriptor and is written through.
///
/// Temporary files are named `.<name>.tmp-<random>` (the name shortened to whole UTF-8
/// characters of at most 200 bytes, so the temporary name stays within `NAME_MAX`), created
/// exclusively with mode `0666 & ~umask` and recorded in a process-wide list until renamed or
/// removed, so that ``removeAllTemporaries()`` (called from a signal handler thread) can delete
/// them.
///
/// **Edge cases:** a write-through destination cannot be replaced atomically: its bytes are
/// written at commit time, after every regular output has been staged and before any is renamed. A `StagedFile` that is
/// released without ``commit()`` removes its temporary file.
public final class StagedFile: @unchecked Sendable {
  /// The destination, as given.
  public let path: String
  /// Whether the destination is written directly (a device, FIFO or an open descriptor's name).
  public let writesThrough: Bool
  private var fd: CInt = -1
  private var temporary: String?
  private var directory = ""
  /// The file the temporary file is renamed over: `path`, or where a symbolic link at `path`
  /// finally leads.
  private var target = ""
  private var pending: [UInt8] = []
  private var finished = false

  /// Temporary files not yet renamed or removed, for ``removeAllTemporaries()``.
  private static let live = LockedValue<Set<String>>([])

  /// What ``checkDestination(_:)`` found.
  package enum Destination {
    case create(directory: String, name: String)
    case replace(directory: String, name: String, mode: mode_t)
    case writeThrough
  }

  /// Checks that `path` can be written the way a shell redirect would, without creating anything.
  ///
  /// - Throws: ``NPYError`` naming `path`: empty path, names a directory, directory missing or
  ///   not writable, existing file read-only, file name longer than 255 bytes.
  public static func checkDestination(_ path: String) throws {
    _ = try NPYError.naming(path) { try destination(path) }
  }

  package static func destination(_ path: String) throws -> Destination {
    guard !path.isEmpty else { throw NPYProblem("cannot write: the path is empty") }
    if let final = try linkTarget(path) { return try destination(final) }
    let (directory, name) = AtomicFile.split(path)
    // The name itself (a symbolic link is not followed), then what it leads to.
    let link = try? POSIX.stat(path, followingSymlink: false).get()
    let target = link == nil ? nil : try? POSIX.stat(path).get()
    if target?.type == .directory || link?.type == .directory {
      throw NPYProblem("cannot replace a directory with a file")
    }
    guard !name.isEmpty, name != ".", name != ".." else {
      throw NPYProblem("cannot write: the path names a directory, not a file")
    }
    guard name.utf8.count <= 255 else {
      throw NPYProblem("cannot write: the file name is \(name.utf8.count) bytes long (at most 255)")
    }
    if let target, target.type != .regular { return .writeThrough }
    if link?.type == .symbolicLink && namesOpenDescriptor(path) {
      return .writeThrough
    }
    if let link {
      let mode = (target ?? link).mode.rawValue
      if target != nil && (mode & 0o222 == 0 || access(path, W_OK) != 0) {
        throw NPYProblem("cannot write: the existing file is read-only (it is not replaced)")
      }
      try checkDirectory(directory)
      return .replace(
        directory: directory, name: name, mode: link.type == .symbolicLink ? 0 : mode)
    }
    try checkDirectory(directory)
    return .create(directory: directory, name: name)
  }

  /// The path a symbolic link at `path` finally leads to (existing or not), following a chain of
  /// links, each relative target taken from its link's directory; nil when `path` is not a
  /// link, or when the chain names an open descriptor (written through as it is).
  ///
  /// - Throws: `NPYProblem` for a loop or a chain of more than 40 links.
  package static func linkTarget(_ path: String) throws -> String? {
    var current = path
    var hops = 0
    while true {
      if namesOpenDescriptor(current) { return nil }
      guard case .success(let info) = POSIX.stat(current, followingSymlink: false), info.type == .symbolicLink else {
        return hops == 0 ? nil : current
      }
      hops += 1
      guard hops <= 40 else {
        throw NPYProblem("cannot write: symbolic link loop (or a chain of more than 40 links) at '\(path)'")
      }
      var buffer = [CChar](repeating: 0, count: 4097)
      let n = readlink(current, &buffer, 4096)
      guard n >= 0 else { throw NPYProblem("cannot write: the symbolic link '\(current)' cannot be read") }
      let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if target.hasPrefix("/") {
        current = target
      } else {
        current = AtomicFile.split(current).directory + target  // the directory ends with "/" or is empty
      }
    }
  }

  /// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: names of open descriptors.
  package static func namesOpenDescriptor(_ path: String) -> Bool {
    path == "/dev/stdout" || path == "/dev/stderr" || path.hasPrefix("/dev/fd/") || path.hasPrefix("/proc/self/fd/")
  }

  /// The directory of a new file must exist, be a directory and be writable.
  package static func checkDirectory(_ directory: String) throws {
    let shown = directory.isEmpty ? "." : "'\(directory)'"
    let info: Stat
    switch POSIX.stat(directory.isEmpty ? "." : directory) {
    case .success(let s): info = s
    case .failure(let code):
      if code == .noSuchFileOrDirectory || code == .notDirectory {
        throw NPYProblem("cannot write: the directory \(shown) does not exist")
      }
      throw NPYProblem("cannot write: the directory \(shown) cannot be inspected: \(POSIX.describe(code))")
    }
    guard info.type == .directory else {
      throw NPYProblem("cannot write: \(shown) is not a directory")
    }
    guard access(directory.isEmpty ? "." : directory, W_OK | X_OK) == 0 else {
      throw NPYProblem(
        "cannot write: no permission to create files in \(directory.isEmpty ? "the current directory" : shown) "
          + "(\(POSIX.describe(errno)))")
    }
  }

  /// Checks the destination and creates its temporary file (nothing is created for a
  /// write-through destination until ``commit()``).
  ///
  /// - Throws: ``NPYError`` naming `path`.
  public init(path: String) throws {
    self.path = path
    let d = try NPYError.naming(path) { try Self.destination(path) }
    switch d {
    case .writeThrough:
      writesThrough = true
    case .create(let dir, let name), .replace(let dir, let name, _):
      writesThrough = false
      directory = dir
      target = dir + name  // `dir` ends with "/" (or is empty)
      let (fd, temp) = try NPYError.naming(path) { try Self.createTemporary(directory: dir, name: name) }
      self.fd = fd
      temporary = temp
      if case .replace(_, _, let mode) = d, mode != 0 { _ = fchmod(fd, mode & 0o777) }
    }
  }

  deinit { discard() }

  /// Appends `bytes` (kept in memory until ``commit()`` for a write-through destination).
  ///
  /// - Throws: ``NPYError`` naming `path` if the system refuses the write.
  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    if writesThrough {
      pending.append(contentsOf: bytes)
      return
    }
    try NPYError.naming(path) { try AtomicFile.Writer(fdForTesting: fd).write(bytes) }
  }

  /// Appends `bytes`.
  public func write(_ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { try write($0) }
  }

  /// The descriptor of the temporary file, for writers inside CosineKit.
  package var descriptor: CInt { fd }

  /// Flushes the temporary file to disk and closes it.
  ///
  /// - Throws: ``NPYError`` naming `path`.
  public func finish() throws {
    guard !finished, !writesThrough, fd >= 0 else { return }
    try NPYError.naming(path) {
      // EINVAL, EROFS: file systems without fsync.
      if let code = POSIX.fsync(FileDescriptor(rawValue: fd)), code != .invalidArgument, code != .readOnlyFileSystem {
        throw NPYProblem("cannot flush to disk: \(POSIX.describe(code))")
      }
      let r = POSIX.close(fd)
      fd = -1
      guard r == 0 else { throw NPYProblem("cannot close the temporary file: \(POSIX.describe(errno))") }
    }
    finished = true
  }

  /// Makes the file visible: renames the temporary file over `path`, or writes the bytes
  /// through to a device, FIFO or open descriptor.
  ///
  /// - Throws: ``NPYError`` naming `path`; the temporary file is then removed.
  public func commit() throws {
    try Self.commitAll([self])
  }

  /// Commits every file, each only after all were written and flushed; the renames happen
  /// together, with signal cleanup held off (see ``removeAllTemporaries()``) until they are done.
  ///
  /// - Throws: the first ``NPYError``; every file not yet committed is then discarded.
  public static func commitAll(_ files: [StagedFile]) throws {
    do {
      for f in files { try f.finish() }
      // Devices and FIFOs first: if one fails (a full device, a closed pipe), no regular file
      // has been replaced yet.
      for f in files where f.writesThrough { try f.writeThrough() }
      try live.withLock { set in
        for f in files where !f.writesThrough {
          if let t = try f.rename() { set.remove(t) }
        }
      }
    } catch {
      for f in files { f.discard() }
      throw error
    }
    syncDirectories(files)
  }

  /// Renames the temporary file over its target (`path`, or the file a link there leads to);
  /// returns the temporary name it no longer uses.
  private func rename() throws -> String? {
    guard let temporary else { return nil }
    try NPYError.naming(path) {
      guard systemRename(temporary, target) == 0 else {
        let code = errno
        throw NPYProblem(
          code == EISDIR
            ? "cannot replace a directory with a file"
            : "cannot rename the temporary file into place: \(POSIX.describe(code))")
      }
    }
    self.temporary = nil
    return temporary
  }

  /// Writes the pending bytes to the device, FIFO or open descriptor `path` names.
  private func writeThrough() throws {
    try NPYError.naming(path) {
      if let n = Self.openDescriptor(path) {
        // The descriptor itself (a pipe or socket cannot always be reopened by name), after
        // whatever stdio has buffered for it.
        fflush(nil)
        try pending.withUnsafeBytes { try AtomicFile.Writer(fdForTesting: n).write($0) }
      } else {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_APPEND)
        guard fd >= 0 else { throw NPYProblem("cannot open for writing: \(POSIX.describe(errno))") }
        defer { POSIX.close(fd) }
        try pending.withUnsafeBytes { try AtomicFile.Writer(fdForTesting: fd).write($0) }
      }
    }
    pending = []
  }

  /// The descriptor number `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` or `/proc/self/fd/N` names.
  package static func openDescriptor(_ path: String) -> CInt? {
    switch path {
    case "/dev/stdout": return 1
    case "/dev/stderr": return 2
    default:
      for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
        return CInt(path.dropFirst(prefix.count))
      }
      return nil
    }
  }

  /// Removes the temporary file (if any). Safe to call more than once.
  public func discard() {
    if fd >= 0 {
      POSIX.close(fd)
      fd = -1
    }
    if let t = temporary {
      temporary = nil
      Self.live.withLock { set in
        unlink(t)
        set.remove(t)
      }
    }
    pending = []
  }

  /// Deletes every temporary file of this process that has not been renamed or removed yet.
  /// Meant for a thread that handles SIGINT/SIGTERM/SIGHUP; it waits for a rename phase of
  /// ``commitAll(_:)`` in progress, so outputs are either all renamed or all left alone.
  public static func removeAllTemporaries() {
    live.withLock { set in
      for t in set { unlink(t) }
      set.removeAll()
    }
  }

  /// Creates `<directory>.<stem>.tmp-<random>` exclusively and records it; retries on a collision.
  package static func createTemporary(directory: String, name: String) throws -> (CInt, String) {
    let stem = shortened(name, toBytes: 200)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<100 {
      let suffix = String(generator.next() as UInt64, radix: 16)
      let candidate = "\(directory).\(stem).tmp-\(suffix)"
      let fd: CInt = live.withLock { set in
        let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if fd >= 0 { set.insert(candidate) }
        return fd
      }
      if fd >= 0 { return (fd, candidate) }
      let code = errno
      if code == EEXIST || code == EINTR { continue }
      switch code {
      case ENOENT, ENOTDIR:
        throw NPYProblem("cannot write: the directory \(directory.isEmpty ? "." : "'\(directory)'") does not exist")
      case EACCES, EPERM, EROFS:
        throw NPYProblem(
          "cannot write: no permission to create files in "
            + "\(directory.isEmpty ? "the current directory" : "'\(directory)'") (\(POSIX.describe(code)))")
      default:
        throw NPYProblem("cannot create a temporary file next to it: \(POSIX.describe(code))")
      }
    }
    throw NPYProblem("cannot create a temporary file next to it: 100 names were taken")
  }

  /// The longest prefix of `name` of whole characters (UTF-8 scalars) of at most `limit` bytes.
  package static func shortened(_ name: String, toBytes limit: Int) -> String {
    guard name.utf8.count > limit else { return name }
    var bytes = 0
    var out = String.UnicodeScalarView()
    for s in name.unicodeScalars {
      let n = String(s).utf8.count
      if bytes + n > limit { break }
      bytes += n
      out.append(s)
    }
    return String(out)
  }

  /// `fsync` on each directory a file was renamed into, so the renames survive a crash (best effort).
  private static func syncDirectories(_ files: [StagedFile]) {
    for d in Set(files.filter { !$0.writesThrough }.map(\.directory)) {
      let options: FileDescriptor.OpenOptions = [.directory, .closeOnExec]
      guard let dir = try? FileDescriptor.open(d.isEmpty ? "." : d, .readOnly, options: options) else { continue }
      _ = POSIX.fsync(dir)
      try? dir.close()
    }
  }
}

/// `rename(2)`, under a name that does not clash with the method above.
private func systemRename(_ from: String, _ to: String) -> CInt { rename(from, to) }
