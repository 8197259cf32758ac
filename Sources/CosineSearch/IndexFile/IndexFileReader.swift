import CCosineKernels
import CosineCore

extension IndexTable {
  /// Opens an index file by mapping it: validates both header slots, picks the current one and
  /// checks every size, offset and count against the file before any row is used.
  ///
  /// - Throws: ``NPYError`` naming `path`.
  package static func open(path: String) throws -> IndexTable {
    try NPYError.naming(path) {
      let mapping = try IndexMapping(path: path)
      let (table, header) = try decode(base: mapping.base, size: mapping.size, owner: mapping, mapping: mapping)
      table.file.state.withLock {
        $0 = FileState.Snapshot(
          path: path, header: header, segments: table.segments.map { ObjectIdentifier($0) },
          tombstones: table.tombstones)
      }
      return table
    }
  }

  /// Decodes an index file held in memory (for tests and the fuzzer): the bytes are copied.
  ///
  /// - Throws: ``NPYError`` naming `source`.
  package static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> IndexTable {
    try NPYError.naming(source) {
      let copy = OwnedBytes(count: bytes.count)
      if let b = bytes.baseAddress { copy.base.copyMemory(from: b, byteCount: bytes.count) }
      guard bytes.count >= IndexFileFormat.dataStart else {
        throw NPYProblem(IndexFileFormat.Problem.truncated.message)
      }
      return try decode(base: UnsafeRawPointer(copy.base), size: bytes.count, owner: copy, mapping: nil).0
    }
  }

  /// The current header of the two slots at `base`, or the most telling reason why neither is
  /// valid. With the file's `size`, a version-2 slot is valid only with its directory, which it
  /// then holds; without (`nil`, only the slots are at `base`), the directory is not read.
  package static func currentHeader(_ base: UnsafeRawPointer, size: Int?) throws -> IndexFileFormat.Header {
    let slot = IndexFileFormat.slotSize
    let results = [0, 1].map { i -> Result<IndexFileFormat.Header, IndexFileFormat.Problem> in
      let r = IndexFileFormat.Header.decode(UnsafeRawBufferPointer(start: base + i * slot, count: slot))
      guard let size, case .success(let h) = r else { return r }
      return h.withDirectory(base, size: size)
    }
    var best: IndexFileFormat.Header?
    var problems: [IndexFileFormat.Problem] = []
    for r in results {
      switch r {
      case .success(let h): if best == nil || h.generation > best!.generation { best = h }
      case .failure(let p): problems.append(p)
      }
    }
    if let best { return best }
    func rank(_ p: IndexFileFormat.Problem) -> Int {
      switch p {
      case .badVersion: 4
      case .badChecksum: 3
      case .badField: 2
      case .truncated: 1
      case .badMagic: 0
      }
    }
    throw NPYProblem(problems.max { rank($0) < rank($1) }!.message)
  }

  /// Validates the header at `base` against `size` bytes and builds the table over the bytes,
  /// which `owner` keeps alive.
  package static func decode(base: UnsafeRawPointer, size: Int, owner: AnyObject, mapping: IndexMapping?) throws
    -> (IndexTable, IndexFileFormat.Header)
  {
    try IndexFileFormat.requireLittleEndianMachine()
    let h = try currentHeader(base, size: size)
    func bad(_ s: String) -> NPYProblem { NPYProblem("invalid index file: \(s)") }
    guard h.dimension <= UInt64(IndexFileFormat.maxDimension) else {
      throw bad("dimension \(h.dimension) exceeds \(IndexFileFormat.maxDimension)")
    }
    guard h.width == 16 || h.width == 32 else { throw bad("panel width \(h.width) (must be 16 or 32)") }
    guard h.width == 16 || ck_cpu_level() == 2 else {
      throw NPYProblem(
        "built with 32-row panels for AVX-512, which this CPU lacks: build the index again on this machine")
    }
    guard h.eps.isFinite, h.eps >= 0 else { throw bad("eps \(h.eps)") }
    guard let quantization = CosineIndexQuantization(code: h.quantization) else {
      throw bad("quantization code \(h.quantization) (0 none, 1 int8, 2 binary)")
    }
    guard h.usedBytes >= UInt64(IndexFileFormat.dataStart), h.usedBytes <= UInt64(size) else {
      throw bad("the header describes \(h.usedBytes) bytes but the file has \(size) (truncated?)")
    }
    let used = Int(h.usedBytes)
    let d = Int(h.dimension)
    let w = Int(h.width)
    func block(_ seg: Int?, _ name: String, _ offset: UInt64, _ count: Int) throws -> UnsafeRawPointer {
      guard offset % UInt64(IndexFileFormat.alignment) == 0, offset >= UInt64(IndexFileFormat.dataStart),
        offset <= UInt64(used), count <= used - Int(offset)
      else {
        throw bad(
          "\(seg.map { "segment \($0): " } ?? "")\(name) block of \(count) bytes at offset \(offset) lies outside the data (8192..<\(used)) or is misaligned"
        )
      }
      return base + Int(offset)
    }
    var quantizer: CoarseQuantizer?
    if h.isIVF {
      let nlist = Int(h.nlist)
      let count = nlist * d
      let c = try block(nil, "centroids", h.centroidsOffset, count * 4)
      // Little-endian floats on a little-endian machine (checked above): copied as they are.
      var values: [Float] = OutputBuffer.uninitialized(count)
      values.withUnsafeMutableBytes { if count > 0 { $0.baseAddress!.copyMemory(from: c, byteCount: count * 4) } }
      do {
        quantizer = try CoarseQuantizer(centroids: values, nlist: nlist, dimension: d)
      } catch {
        throw bad("\(error)")
      }
      if let l = h.segmentLists.first(where: { $0 >= h.nlist }) { throw bad("a segment of list \(l) of \(nlist)") }
    }
    var segments: [IndexSegment] = []
    var total = 0
    for (s, e) in h.segments.enumerated() {
      guard e.rows >= 1, e.rows <= 1 << 40 else { throw bad("segment \(s): row count \(e.rows)") }
      let n = Int(e.rows)
      guard let sz = IndexFileFormat.Sizes(rows: n, dim: d, width: w), sz.half <= size else {
        throw bad("segment \(s): \(n) rows of \(d) elements do not fit in the file")
      }
      let ids = try block(s, "ids", e.ids, sz.ids).bindMemory(to: Int64.self, capacity: n)
      for r in 1..<n where ids[r - 1] >= ids[r] {
        throw bad("segment \(s): ids not strictly increasing at row \(r) (\(ids[r - 1]), \(ids[r]))")
      }
      let high = try block(s, "high halves", e.high, sz.half)
      let low = try block(s, "low halves", e.low, sz.half)
      let hasCodes = e.codes != 0 || e.scales != 0 || e.errors != 0
      guard hasCodes == (quantization == .int8), (e.bits != 0) == (quantization == .binary) else {
        throw bad("segment \(s): its code blocks do not match the index's quantization (\(quantization.rawValue))")
      }
      var int8: Int8Codes?
      var bits: UnsafePointer<UInt64>?
      if quantization == .int8 {
        let c = try block(s, "int8 codes", e.codes, sz.codes)
        let sc = try block(s, "scales", e.scales, sz.scales)
        let er = try block(s, "error bounds", e.errors, sz.scales)
        let slots = sz.scales / 4
        int8 = Int8Codes(
          codes: c.assumingMemoryBound(to: UInt8.self), invScale: sc.bindMemory(to: Float.self, capacity: slots),
          err: er.bindMemory(to: Float.self, capacity: slots))
      } else if quantization == .binary {
        bits = try block(s, "sign bits", e.bits, sz.bits).bindMemory(to: UInt64.self, capacity: sz.bits / 8)
      }
      if quantization != .none, let mapping {
        mapping.adviseRandom(Int(e.high), sz.half)
        mapping.adviseRandom(Int(e.low), sz.half)
      }
      let halves = Swift.max(1, sz.half / 2)
      let panels = SplitPanels(
        rows: n, dim: d, width: w,
        high: UnsafeMutablePointer(mutating: high.bindMemory(to: UInt16.self, capacity: halves)),
        low: UnsafeMutablePointer(mutating: low.bindMemory(to: UInt16.self, capacity: halves)), owner: owner)
      segments.append(
        IndexSegment(rows: n, ids: ids, panels: panels, int8: int8, bits: bits, entry: e, file: mapping, keep: [owner]))
      total += n
    }
    guard h.tombstoneCount <= UInt64(total) else {
      throw bad("\(h.tombstoneCount) removed ids but only \(total) stored rows")
    }
    var tombstones: [Int64] = []
    if h.tombstoneCount > 0 {
      let t = Int(h.tombstoneCount)
      guard h.tombstoneOffset % 64 == 0, h.tombstoneOffset >= UInt64(IndexFileFormat.dataStart),
        h.tombstoneOffset <= UInt64(used), t * 8 <= used - Int(h.tombstoneOffset)
      else { throw bad("removed-id block at offset \(h.tombstoneOffset) lies outside the data") }
      let p = (base + Int(h.tombstoneOffset)).bindMemory(to: Int64.self, capacity: t)
      tombstones = Array(UnsafeBufferPointer(start: p, count: t))
      for i in 1..<Swift.max(1, t) where tombstones[i - 1] >= tombstones[i] {
        throw bad("removed ids not strictly increasing at \(i)")
      }
      // Each removed id is stored exactly once (a removed id stored twice would leave the live
      // count wrong).
      var stored: [Int64: Int] = [:]
      for (seg, rows) in zip(segments, rows(holding: tombstones, in: segments)) {
        for r in rows { stored[seg.ids[r], default: 0] += 1 }
      }
      if let id = tombstones.first(where: { stored[$0] != 1 }) {
        let times = stored[id] ?? 0
        throw bad("removed id \(id) is \(times == 0 ? "not stored" : "stored \(times) times")")
      }
    }
    guard h.liveRows == UInt64(total - tombstones.count) else {
      throw bad("live row count \(h.liveRows) ≠ \(total) stored − \(tombstones.count) removed")
    }
    let table = IndexTable(
      segments: segments, tombstones: tombstones, quantization: quantization, dimension: d, width: w, eps: h.eps,
      ivf: quantizer, segmentLists: quantizer == nil ? [] : h.segmentLists.map { Int($0) })
    return (table, h)
  }
}
