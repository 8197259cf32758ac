import CosineCore
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import SystemPackage

extension IndexTable {
  /// A block to write: its bytes and where it goes.
  private struct Block {
    package let offset: Int
    package let bytes: UnsafeRawBufferPointer
  }

  /// The blocks of `segments` laid out from `start`, their header entries and the end.
  private func layout(_ segs: ArraySlice<IndexSegment>, from start: Int) -> (
    [Block], [IndexFileFormat.SegmentEntry], Int
  ) {
    var offset = start
    var blocks: [Block] = []
    var entries: [IndexFileFormat.SegmentEntry] = []
    func put(_ p: UnsafeRawPointer?, _ count: Int) -> UInt64 {
      offset = IndexFileFormat.aligned(offset)
      let o = offset
      blocks.append(Block(offset: o, bytes: UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : count)))
      offset += count
      return UInt64(o)
    }
    for seg in segs where seg.rows > 0 {
      let sz = IndexFileFormat.Sizes(rows: seg.rows, dim: dimension, width: width)!
      var e = IndexFileFormat.SegmentEntry(
        rows: UInt64(seg.rows), ids: 0, high: 0, low: 0, codes: 0, scales: 0, errors: 0, bits: 0)
      e.ids = put(seg.ids, sz.ids)
      e.high = put(seg.panels.high, sz.half)
      e.low = put(seg.panels.low, sz.half)
      if let c = seg.int8 {
        e.codes = put(c.codes, sz.codes)
        e.scales = put(c.invScale, sz.scales)
        e.errors = put(c.err, sz.scales)
      }
      if let b = seg.bits { e.bits = put(b, sz.bits) }
      entries.append(e)
    }
    return (blocks, entries, offset)
  }

  private func header(
    generation: UInt64, entries: [IndexFileFormat.SegmentEntry], used: Int, tombstoneOffset: Int
  ) -> IndexFileFormat.Header {
    IndexFileFormat.Header(
      generation: generation, dimension: UInt64(dimension), width: UInt64(width), eps: eps,
      quantization: quantization.code, liveRows: UInt64(liveRows), usedBytes: UInt64(used),
      tombstoneOffset: UInt64(tombstones.isEmpty ? 0 : tombstoneOffset), tombstoneCount: UInt64(tombstones.count),
      segments: entries)
  }

  /// Inverted file: sets the header's lists and directory (placed at `directoryOffset`, its
  /// bytes returned) and the centroids' offset.
  private func describeLists(
    _ h: inout IndexFileFormat.Header, centroidsOffset: Int, directoryOffset: Int
  ) -> [UInt8] {
    guard let ivf else { return [] }
    h.nlist = UInt64(ivf.nlist)
    h.segmentLists = zip(segments, segmentLists).filter { $0.0.rows > 0 }.map { UInt64($0.1) }
    h.centroidsOffset = UInt64(centroidsOffset)
    h.directoryOffset = UInt64(directoryOffset)
    h.directoryCount = UInt64(h.segments.count)
    let dir = h.directoryBytes()
    h.directoryChecksum = IndexFileFormat.checksum(dir)
    return dir
  }

  /// Writes the table to `path`: appended in place when `path` is the file the table was read
  /// from or last written to and only rows were added or ids removed since (and the file is
  /// unchanged); otherwise the whole file is written to a temporary file and renamed over `path`.
  ///
  /// - Throws: ``NPYError`` naming `path`.
  package func save(to path: String) throws {
    try NPYError.naming(path) { try IndexFileFormat.requireLittleEndianMachine() }
    if ivf == nil && segments.count > IndexFileFormat.maxSegments {
      var t = self
      t.compact()
      return try t.save(to: path)
    }
    if try NPYError.naming(path, { try append(to: path) }) { return }
    try writeWhole(to: path)
  }

  /// Writes the whole file atomically.
  package func writeWhole(to path: String) throws {
    let (blocks, entries, end) = layout(segments[...], from: IndexFileFormat.dataStart)
    // Inverted file: the centroids, then the directory, after the segments.
    let centroidBytes = (ivf?.centroids.count ?? 0) * 4
    let centroidsOffset = IndexFileFormat.aligned(end)
    let directoryOffset = IndexFileFormat.aligned(centroidsOffset + centroidBytes)
    let listsEnd = ivf == nil ? end : directoryOffset + entries.count * 72
    let tombOffset = IndexFileFormat.aligned(listsEnd)
    let used = tombstones.isEmpty ? listsEnd : tombOffset + tombstones.count * 8
    var h = header(generation: 1, entries: entries, used: used, tombstoneOffset: tombOffset)
    let directory = describeLists(&h, centroidsOffset: centroidsOffset, directoryOffset: directoryOffset)
    try AtomicFile.write(to: path) { out in
      try out.write(h.encoded())
      try out.write([UInt8](repeating: 0, count: IndexFileFormat.slotSize))
      var at = IndexFileFormat.dataStart
      let zeros = [UInt8](repeating: 0, count: IndexFileFormat.alignment)
      func pad(to o: Int) throws {
        if o > at { try out.write(Array(zeros[0..<(o - at)])) }
        at = o
      }
      for b in blocks {
        try pad(to: b.offset)
        try out.write(b.bytes)
        at += b.bytes.count
      }
      if let ivf {
        try pad(to: centroidsOffset)
        try ivf.centroids.map { $0.bitPattern.littleEndian }.withUnsafeBytes { try out.write($0) }
        at += centroidBytes
        try pad(to: directoryOffset)
        try out.write(directory)
        at += directory.count
      }
      if !tombstones.isEmpty {
        try pad(to: tombOffset)
        try tombstones.map(\.littleEndian).withUnsafeBytes { try out.write($0) }
        at += tombstones.count * 8
      }
    }
    file.state.withLock {
      $0 = FileState.Snapshot(
        path: path, header: h, segments: segments.map { ObjectIdentifier($0) }, tombstones: tombstones)
    }
  }

  /// Appends new segments and the removed ids to the file the table came from, then switches
  /// to a new header in the other slot. Returns false when that is not possible.
  private func append(to path: String) throws -> Bool {
    guard let snap = file.state.withLock({ $0 }), snap.path == path, segments.count >= snap.segments.count,
      zip(segments, snap.segments).allSatisfy({ ObjectIdentifier($0) == $1 }),
      Set(snap.tombstones).isSubset(of: Set(tombstones)), segments.count <= IndexFileFormat.maxSegments
    else { return false }
    if segments.count == snap.segments.count && tombstones == snap.tombstones { return true }
    guard let fd = try? FileDescriptor.open(path, .readWrite, options: .closeOnExec) else { return false }
    defer { try? fd.close() }
    guard flock(fd.rawValue, LOCK_EX) == 0 else { return false }
    defer { flock(fd.rawValue, LOCK_UN) }
    // The file must still be the one the table describes.
    var slots = [UInt8](repeating: 0, count: IndexFileFormat.dataStart)
    guard (try? slots.withUnsafeMutableBytes({ try fd.readFully(fromAbsoluteOffset: 0, into: $0) })) == slots.count,
      let current = try? slots.withUnsafeBytes({ try Self.currentHeader($0.baseAddress!, size: nil) }),
      current.sameSlot(as: snap.header)
    else { return false }
    let start = Int(snap.header.usedBytes)
    let (blocks, entries, end) = layout(segments[snap.segments.count...], from: start)
    let all = snap.header.segments + entries
    // Inverted file: a new directory after the new segments (the centroids stay where they are).
    let directoryOffset = IndexFileFormat.aligned(end)
    let listsEnd = ivf == nil ? end : directoryOffset + all.count * 72
    var used = listsEnd
    var tombOffset = Int(snap.header.tombstoneOffset)
    if tombstones != snap.tombstones {
      tombOffset = IndexFileFormat.aligned(listsEnd)
      used = tombOffset + tombstones.count * 8
    }
    var h = header(generation: snap.header.generation + 1, entries: all, used: used, tombstoneOffset: tombOffset)
    let directory = describeLists(
      &h, centroidsOffset: Int(snap.header.centroidsOffset), directoryOffset: directoryOffset)
    for b in blocks { try Self.writeFully(fd, b.bytes, at: b.offset) }
    if !directory.isEmpty { try directory.withUnsafeBytes { try Self.writeFully(fd, $0, at: directoryOffset) } }
    if tombstones != snap.tombstones {
      try tombstones.map(\.littleEndian).withUnsafeBytes { try Self.writeFully(fd, $0, at: tombOffset) }
    }
    try Self.sync(fd)
    let g = h.generation
    try h.encoded().withUnsafeBytes { try Self.writeFully(fd, $0, at: Int((g - 1) % 2) * IndexFileFormat.slotSize) }
    try Self.sync(fd)
    file.state.withLock {
      $0 = FileState.Snapshot(
        path: path, header: h, segments: segments.map { ObjectIdentifier($0) }, tombstones: tombstones)
    }
    return true
  }

  private static func writeFully(_ fd: FileDescriptor, _ b: UnsafeRawBufferPointer, at offset: Int) throws {
    do {
      _ = try b.withMemoryRebound(to: UInt8.self) { try fd.writeAll(toAbsoluteOffset: Int64(offset), $0) }
    } catch {
      throw NPYProblem("cannot write: \(POSIX.describe(error as? Errno ?? .ioError))")
    }
  }

  private static func sync(_ fd: FileDescriptor) throws {
    if let code = POSIX.fsync(fd) { throw NPYProblem("cannot flush to disk: \(POSIX.describe(code))") }
  }
}
