import CosineCore

/// The layout of a CosineKit index file, versions 1 and 2 (see <doc:IndexFiles>).
///
/// Two header slots of 4096 bytes start the file; the valid one (magic, version, checksum)
/// with the higher generation describes it. Blocks follow, each at a multiple of 64 bytes:
/// per segment its ids, the high and low halves of its split panels and its codes, and one
/// block of removed ids. Every integer and float is little-endian.
///
/// Version 1 (flat indexes) lists its at most 48 segments in the header slot. Version 2
/// (inverted-file indexes) adds the coarse centroids, a block of `nlist · D` floats, and moves
/// the segment list to a directory block of 72 bytes per segment (the 8 offsets of version 1
/// and the segment's list), whose FNV-1a checksum the header slot holds.
package enum IndexFileFormat {
  /// Refuses index files on a big-endian machine.
  ///
  /// The panels, codes and ids are searched where they lie in the mapped file, so they are kept
  /// in the byte order of the machines that search them, little-endian (x86-64, ARM64). A
  /// big-endian machine would read every value byte-swapped; it gets this error instead.
  package static func requireLittleEndianMachine() throws {
    #if _endian(big)
      throw NPYProblem("index files are little-endian and are searched in place; this machine is big-endian")
    #endif
  }

  package static let magic: [UInt8] = Array("CSKINDEX".utf8)
  /// The version of flat index files.
  package static let version: UInt32 = 1
  /// The version of inverted-file index files.
  package static let ivfVersion: UInt32 = 2
  /// The most segments a version-2 directory may list.
  package static let maxDirectorySegments = 1 << 24
  /// The most lists an inverted-file index may have.
  package static let maxLists = 1 << 20
  package static let slotSize = 4096
  package static let dataStart = 2 * slotSize
  package static let maxSegments = 48
  package static let alignment = 64
  package static let checksumOffset = slotSize - 8
  /// The largest row length an index file may declare.
  package static let maxDimension = 1 << 20

  /// Offsets (from the start of the file) of one segment's blocks; 0 for a block it lacks.
  package struct SegmentEntry: Equatable, Sendable {
    package var rows: UInt64
    package var ids: UInt64
    package var high: UInt64
    package var low: UInt64
    package var codes: UInt64
    package var scales: UInt64
    package var errors: UInt64
    package var bits: UInt64
  }

  /// One header slot.
  package struct Header: Equatable, Sendable {
    package var generation: UInt64
    package var dimension: UInt64
    package var width: UInt64
    package var eps: Double
    package var quantization: UInt32
    package var liveRows: UInt64
    package var usedBytes: UInt64
    package var tombstoneOffset: UInt64
    package var tombstoneCount: UInt64
    package var segments: [SegmentEntry]
    /// Version 2: the list of each segment (parallel to ``segments``); empty for version 1.
    package var segmentLists: [UInt64] = []
    /// Version 2: the number of lists (0: a flat index, version 1).
    package var nlist: UInt64 = 0
    /// Version 2: where the centroids and the segment directory lie, and the directory's checksum.
    package var centroidsOffset: UInt64 = 0
    package var directoryOffset: UInt64 = 0
    package var directoryChecksum: UInt64 = 0
    /// Version 2, as decoded from a slot before its directory is read: the number of segments.
    package var directoryCount: UInt64 = 0

    package var isIVF: Bool { nlist > 0 }

    /// Whether `other` is the same slot: for version 2, the fields the slot holds (its directory
    /// is identified by offset and checksum).
    package func sameSlot(as other: Header) -> Bool {
      guard isIVF || other.isIVF else { return self == other }
      return generation == other.generation && usedBytes == other.usedBytes && nlist == other.nlist
        && directoryOffset == other.directoryOffset && directoryChecksum == other.directoryChecksum
        && directoryCount == other.directoryCount && centroidsOffset == other.centroidsOffset
        && tombstoneOffset == other.tombstoneOffset && tombstoneCount == other.tombstoneCount
        && liveRows == other.liveRows
    }

    /// The version-2 directory: 9 little-endian `UInt64` per segment (its 8 offsets, its list).
    package func directoryBytes() -> [UInt8] {
      var b = [UInt8](repeating: 0, count: segments.count * 72)
      for (s, e) in segments.enumerated() {
        let o = s * 72
        let fields = [e.rows, e.ids, e.high, e.low, e.codes, e.scales, e.errors, e.bits, segmentLists[s]]
        for (j, v) in fields.enumerated() { LittleEndian.store(v, into: &b, at: o + 8 * j) }
      }
      return b
    }

    /// Reads the version-2 directory this slot describes from the file at `base` (`size` bytes):
    /// checks its place and checksum, fills ``segments`` and ``segmentLists``.
    package func withDirectory(_ base: UnsafeRawPointer, size: Int) -> Result<Header, Problem> {
      guard isIVF else { return .success(self) }
      let count = Int(directoryCount)
      let bytes = count * 72
      guard directoryOffset % UInt64(alignment) == 0, directoryOffset >= UInt64(dataStart),
        directoryOffset <= UInt64(size), bytes <= size - Int(directoryOffset)
      else { return .failure(.badField("segment directory at offset \(directoryOffset) lies outside the file")) }
      let dir = UnsafeRawBufferPointer(start: base + Int(directoryOffset), count: bytes)
      guard checksum(dir) == directoryChecksum else {
        return .failure(.badField("segment directory checksum mismatch (the directory is corrupt)"))
      }
      var h = self
      h.segments = []
      h.segmentLists = []
      h.segments.reserveCapacity(count)
      for s in 0..<count {
        let f = (0..<9).map { LittleEndian.load(UInt64.self, from: dir, at: s * 72 + 8 * $0) }
        h.segments.append(
          SegmentEntry(
            rows: f[0], ids: f[1], high: f[2], low: f[3], codes: f[4], scales: f[5], errors: f[6], bits: f[7]))
        h.segmentLists.append(f[8])
      }
      return .success(h)
    }

    /// The slot's 4096 bytes, checksum included.
    package func encoded() -> [UInt8] {
      var b = [UInt8](repeating: 0, count: slotSize)
      func put<I: FixedWidthInteger>(_ v: I, _ at: Int) { LittleEndian.store(v, into: &b, at: at) }
      for (i, x) in magic.enumerated() { b[i] = x }
      put(isIVF ? ivfVersion : version, 8)
      put(UInt32(slotSize), 12)
      put(generation, 16)
      put(dimension, 24)
      put(width, 32)
      put(eps.bitPattern, 40)
      put(quantization, 48)
      put(UInt32(isIVF ? Int(directoryCount) : segments.count), 52)
      put(liveRows, 56)
      put(usedBytes, 64)
      put(tombstoneOffset, 72)
      put(tombstoneCount, 80)
      if isIVF {
        put(nlist, 88)
        put(directoryOffset, 96)
        put(directoryChecksum, 104)
        put(centroidsOffset, 112)
        put(checksum(b[0..<checksumOffset]), checksumOffset)
        return b
      }
      for (s, e) in segments.enumerated() {
        let o = 96 + s * 64
        for (j, v) in [e.rows, e.ids, e.high, e.low, e.codes, e.scales, e.errors, e.bits].enumerated() {
          put(v, o + 8 * j)
        }
      }
      put(checksum(b[0..<checksumOffset]), checksumOffset)
      return b
    }

    /// Decodes one slot: nil with the reason when it is not a valid slot.
    package static func decode(_ b: UnsafeRawBufferPointer) -> Result<Header, Problem> {
      guard b.count >= slotSize else { return .failure(.truncated) }
      guard Array(b[0..<8]) == magic else { return .failure(.badMagic) }
      func get<I: FixedWidthInteger>(_: I.Type, _ at: Int) -> I { LittleEndian.load(I.self, from: b, at: at) }
      let stored = get(UInt64.self, checksumOffset)
      guard stored == checksum(b[0..<checksumOffset]) else { return .failure(.badChecksum) }
      let v = get(UInt32.self, 8)
      guard v == version || v == ivfVersion else { return .failure(.badVersion(v)) }
      guard get(UInt32.self, 12) == UInt32(slotSize) else { return .failure(.badField("header size")) }
      let count = Int(get(UInt32.self, 52))
      if v == ivfVersion {
        let nlist = get(UInt64.self, 88)
        guard nlist >= 1, nlist <= UInt64(maxLists) else {
          return .failure(.badField("list count \(nlist) (1 to \(maxLists))"))
        }
        guard count <= maxDirectorySegments else {
          return .failure(.badField("segment count \(count) (at most \(maxDirectorySegments))"))
        }
        var h = Header(
          generation: get(UInt64.self, 16), dimension: get(UInt64.self, 24), width: get(UInt64.self, 32),
          eps: Double(bitPattern: get(UInt64.self, 40)), quantization: get(UInt32.self, 48),
          liveRows: get(UInt64.self, 56), usedBytes: get(UInt64.self, 64), tombstoneOffset: get(UInt64.self, 72),
          tombstoneCount: get(UInt64.self, 80), segments: [])
        h.nlist = nlist
        h.directoryOffset = get(UInt64.self, 96)
        h.directoryChecksum = get(UInt64.self, 104)
        h.centroidsOffset = get(UInt64.self, 112)
        h.directoryCount = UInt64(count)
        return .success(h)
      }
      guard count <= maxSegments else {
        return .failure(.badField("segment count \(count) (at most \(maxSegments))"))
      }
      var segments: [SegmentEntry] = []
      for s in 0..<count {
        let o = 96 + s * 64
        let f = (0..<8).map { get(UInt64.self, o + 8 * $0) }
        segments.append(
          SegmentEntry(
            rows: f[0], ids: f[1], high: f[2], low: f[3], codes: f[4], scales: f[5], errors: f[6], bits: f[7]))
      }
      return .success(
        Header(
          generation: get(UInt64.self, 16), dimension: get(UInt64.self, 24), width: get(UInt64.self, 32),
          eps: Double(bitPattern: get(UInt64.self, 40)), quantization: get(UInt32.self, 48),
          liveRows: get(UInt64.self, 56), usedBytes: get(UInt64.self, 64), tombstoneOffset: get(UInt64.self, 72),
          tombstoneCount: get(UInt64.self, 80), segments: segments))
    }
  }

  /// Why a header slot is not valid.
  package enum Problem: Error, Equatable {
    case truncated, badMagic, badChecksum
    case badVersion(UInt32)
    case badField(String)

    package var message: String {
      switch self {
      case .truncated: "truncated: shorter than the two 4096-byte header slots of an index file"
      case .badMagic: "not a CosineKit index file (no CSKINDEX magic)"
      case .badChecksum: "header checksum mismatch (the header is corrupt)"
      case .badVersion(let v):
        "unsupported index file version \(v) (this build reads versions \(version) and \(ivfVersion))"
      case .badField(let s): "invalid header: \(s)"
      }
    }
  }

  /// 64-bit FNV-1a of `bytes`.
  package static func checksum(_ bytes: some Collection<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in bytes {
      h ^= UInt64(x)
      h = h &* 0x100_0000_01b3
    }
    return h
  }

  /// `x` rounded up to the block alignment.
  package static func aligned(_ x: Int) -> Int { (x + alignment - 1) / alignment * alignment }

  /// Byte sizes of a segment's blocks: ids, each half, codes, scales (= errors), bits.
  package struct Sizes {
    package let ids, half, codes, scales, bits: Int

    /// nil when a size overflows.
    package init?(rows: Int, dim: Int, width: Int) {
      let panels = (rows + width - 1) / width
      let (slots, o1) = panels.multipliedReportingOverflow(by: width)
      let (elems, o2) = slots.multipliedReportingOverflow(by: dim)
      let (h, o3) = elems.multipliedReportingOverflow(by: 2)
      let (c, o4) = slots.multipliedReportingOverflow(by: IndexSegment.groups(dim) * 4)
      let (w, o5) = slots.multipliedReportingOverflow(by: IndexSegment.words(dim) * 8)
      let (i, o6) = rows.multipliedReportingOverflow(by: 8)
      guard !(o1 || o2 || o3 || o4 || o5 || o6), h < Int.max / 8, c < Int.max / 8, w < Int.max / 8 else { return nil }
      ids = i
      half = h
      codes = c
      scales = slots * 4
      bits = w
    }
  }
}
