import CosineCore
import CosineLosses
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

/// Whole-file reads and atomic whole-file writes for model files and reports.
package enum FileBytes {
  /// The largest file ``read(_:)`` accepts: 1 GiB (a model file of 1 GiB holds about 50 million
  /// parameters as JSON text), or a quarter of ``MemoryBudget/availableBytes`` if smaller, since
  /// decoding takes several times the file's size.
  package static var maximumBytes: Int { Swift.min(1 << 30, MemoryBudget.availableBytes / 4) }

  /// The contents of `path`, which must be a regular file of at most ``maximumBytes``.
  ///
  /// The file is opened without blocking (a FIFO does not wait for a writer) and checked with
  /// `fstat` before anything is read: a directory, device, FIFO or socket is refused, and the
  /// file's size (taken once) bounds the read, so `/dev/zero` or a growing file cannot make the
  /// reader allocate without limit.
  ///
  /// - Throws: ``TrainingFileError`` naming `path` with the reason.
  package static func read(_ path: String) throws -> [UInt8] {
    func fail(_ m: String) -> TrainingFileError { TrainingFileError(path: path, message: m) }
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec, .nonBlocking])
    } catch {
      let code = error as? Errno ?? .ioError
      throw fail(code == .noSuchFileOrDirectory ? "no such file" : "cannot open: \(reason(code.rawValue))")
    }
    defer { try? fd.close() }
    let info: Stat
    do {
      info = try Stat(fd)
    } catch {
      throw fail("cannot inspect: \(reason(error.rawValue))")
    }
    guard info.type != .directory else { throw fail("is a directory, not a model file") }
    guard info.type == .regular else {
      throw fail("not a regular file (a device, pipe or socket cannot be read as a model file)")
    }
    let size = Int(info.size)
    let limit = maximumBytes
    guard size <= limit else {
      throw fail(
        "the file has \(MemoryBudget.describe(bytes: size)), more than the \(MemoryBudget.describe(bytes: limit)) "
          + "a model file may have")
    }
    var bytes = [UInt8](repeating: 0, count: size)
    let done: Int
    do {
      done = try bytes.withUnsafeMutableBytes { try fd.readFully(fromAbsoluteOffset: 0, into: $0) }
    } catch let error as FileDescriptor.ReadFailure {
      throw fail("cannot read: \(reason(error.errno.rawValue))")
    }
    guard done == size else { throw fail("the file shrank while being read (\(done) of \(size) bytes)") }
    return bytes
  }

  /// Replaces `path` with `bytes` atomically (see `AtomicFile`): readers never see a partial
  /// file, and on failure an existing file at `path` is left untouched.
  ///
  /// - Throws: ``TrainingFileError`` naming `path` with the system's reason.
  package static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    do {
      try AtomicFile.write(to: path) { try $0.write(bytes) }
    } catch let e as NPYError {
      throw TrainingFileError(path: e.path, message: e.message)
    }
  }

  package static func reason(_ code: Int32) -> String {
    guard let s = strerror(code) else { return "error \(code)" }
    return String(cString: s).lowercased()
  }
}

/// A file that could not be read, written or understood (model files): a ``FileError`` naming
/// the file.
public typealias TrainingFileError = FileError
