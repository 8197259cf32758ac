import SystemPackage

extension FileDescriptor {
  /// Why a positioned read failed, and the absolute offset of the read that failed.
  package struct ReadFailure: Error {
    /// The system's reason.
    package let errno: Errno
    /// The file offset at which the failing `pread` started.
    package let offset: Int
  }

  /// Fills `buffer` with the bytes at `offset` with `pread`, retrying after interruptions and
  /// short reads; the descriptor's own position is left alone.
  ///
  /// - Returns: The number of bytes read: `buffer.count`, or fewer if the file ends first.
  /// - Throws: ``ReadFailure`` with the system's reason and the offset of the failing read.
  /// - Complexity: O(`buffer.count`), in as few system calls as the kernel allows.
  package func readFully(fromAbsoluteOffset offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(ReadFailure)
    -> Int
  {
    var done = 0
    while done < buffer.count {
      let n: Int
      do {
        n = try read(
          fromAbsoluteOffset: Int64(offset + done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
      } catch {
        throw ReadFailure(errno: error as? Errno ?? .ioError, offset: offset + done)
      }
      if n == 0 { break }
      done += n
    }
    return done
  }

  /// Writes all of `bytes` at the current position, retrying after interruptions and short
  /// writes (``writeAll(_:)`` on raw bytes, without copying them).
  ///
  /// - Throws: `Errno` if the system refuses a write.
  package func writeAll(raw bytes: UnsafeRawBufferPointer) throws {
    _ = try bytes.withMemoryRebound(to: UInt8.self) { try writeAll($0) }
  }
}
