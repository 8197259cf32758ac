import CCosineKernels
import CosineCore

/// The rows of an index with ids: segments in the order they were added, each sorted by id,
/// and the ids removed but still stored (tombstones), until compaction drops them.
package struct IndexTable: Sendable {
  package var segments: [IndexSegment]
  /// Removed ids still stored in a segment, sorted.
  package var tombstones: [Int64]
  package let quantization: CosineIndexQuantization
  package let dimension: Int
  package let width: Int
  package let eps: Double
  /// What was last read from or written to an index file, shared by copies (see ``FileState``).
  package let file: FileState

  /// Stored rows, removed ones included.
  package var storedRows: Int { segments.reduce(0) { $0 + $1.rows } }
  /// Rows a search can return.
  package var liveRows: Int { storedRows - tombstones.count }

  /// The index file a table corresponds to: its path, its header and which segments and
  /// tombstones it holds, so that saving to it again can append instead of rewriting.
  package final class FileState: Sendable {
    package struct Snapshot {
      package var path: String
      package var header: IndexFileFormat.Header
      package var segments: [ObjectIdentifier]
      package var tombstones: [Int64]
    }
    package let state = LockedValue<Snapshot?>(nil)
    package init(_ s: Snapshot? = nil) { state.withLock { $0 = s } }
  }

  package init(
    segments: [IndexSegment], tombstones: [Int64], quantization: CosineIndexQuantization, dimension: Int, width: Int,
    eps: Double, file: FileState = FileState()
  ) {
    self.segments = segments
    self.tombstones = tombstones
    self.quantization = quantization
    self.dimension = dimension
    self.width = width
    self.eps = eps
    self.file = file
  }

  /// Bytes of the rows, ids and codes (mapped or in memory).
  package var byteCount: Int {
    segments.reduce(0) { t, s in
      let z = IndexFileFormat.Sizes(rows: s.rows, dim: dimension, width: width)!
      return t + z.ids + 2 * z.half + (s.int8 != nil ? z.codes + 2 * z.scales : 0) + (s.bits != nil ? z.bits : 0)
    }
  }

  /// Whether `id` is stored and not removed.
  package func contains(_ id: Int) -> Bool {
    guard !isRemoved(id) else { return false }
    return segments.contains { $0.row(of: id) != nil }
  }

  package func isRemoved(_ id: Int) -> Bool { Self.sortedContains(tombstones, Int64(id)) }

  package static func sortedContains(_ a: [Int64], _ x: Int64) -> Bool {
    var lo = 0
    var hi = a.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if a[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo < a.count && a[lo] == x
  }

  /// One segment of `n` rows of `x` (row-major, `dimension` columns) with `ids` (any order,
  /// distinct), normalized and packed in id order.
  package static func segment<T: TensorScalar>(
    _ x: UnsafePointer<T>?, rows n: Int, ids: [Int64], dimension d: Int, eps: Double, width: Int,
    quantization: CosineIndexQuantization
  ) throws -> IndexSegment {
    precondition(T.self != Double.self && ids.count == n)
    let panels = try SplitPanels(rows: n, dim: d, width: width)
    if zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) {
      panels.pack(x, rows: n, eps: eps, firstPanel: 0)
      return IndexSegment.make(panels: panels, ids: ids, quantization: quantization)
    }
    let order = ids.indices.sorted { ids[$0] < ids[$1] || (ids[$0] == ids[$1] && $0 < $1) }
    try CosineIndexFile.checkDistinct(ids, order: order)
    let sorted = order.map { ids[$0] }
    if let x, d > 0 {
      var permuted = [T](repeating: 0, count: n * d)
      permuted.withUnsafeMutableBufferPointer { p in
        for (i, src) in order.enumerated() { (p.baseAddress! + i * d).update(from: x + src * d, count: d) }
      }
      permuted.withUnsafeBufferPointer { panels.pack($0.baseAddress, rows: n, eps: eps, firstPanel: 0) }
    }
    return IndexSegment.make(panels: panels, ids: sorted, quantization: quantization)
  }

  /// Adds `n` rows with `ids` (nil: the ids after the largest stored one). Throws if an id is
  /// already live or repeated; an id that was removed may come back (the table is compacted
  /// first, so that its tombstone does not hide the new row).
  package mutating func add<T: TensorScalar>(_ x: UnsafePointer<T>?, rows n: Int, ids: [Int64]?) throws {
    guard n > 0 else { return }
    let newIds: [Int64]
    if let ids {
      guard ids.count == n else {
        throw CosineError.invalidShape("\(n) rows to add but \(ids.count) ids")
      }
      newIds = ids
    } else {
      let top = segments.compactMap { $0.rows > 0 ? $0.ids[$0.rows - 1] : nil }.max()
      let first = top.map { $0 &+ 1 } ?? 0
      guard top.map({ $0 < Int64.max - Int64(n) }) ?? true else {
        throw CosineError.invalidArgument("no ids left after \(top!): pass ids explicitly")
      }
      newIds = (0..<Int64(n)).map { first + $0 }
    }
    var revived = false
    for id in newIds {
      for s in segments where s.row(of: Int(id)) != nil {
        if Self.sortedContains(tombstones, id) {
          revived = true
        } else {
          throw CosineError.invalidArgument("id \(id) is already in the index (duplicate ids are not allowed)")
        }
      }
    }
    let seg = try Self.segment(
      x, rows: n, ids: newIds, dimension: dimension, eps: eps, width: width, quantization: quantization)
    if revived { compact() }
    segments.append(seg)
    if segments.count > IndexFileFormat.maxSegments - 1 { compact() }
  }

  /// Marks the rows of `ids` removed; returns how many were live. Unknown ids are ignored.
  package mutating func remove(_ ids: some Sequence<Int>) -> Int {
    var set = Set(tombstones)
    var removed = 0
    for id in ids where !set.contains(Int64(id)) {
      if segments.contains(where: { $0.row(of: id) != nil }) {
        set.insert(Int64(id))
        removed += 1
      }
    }
    tombstones = set.sorted()
    return removed
  }

  /// Rewrites the live rows into one segment in id order, dropping removed rows. The packed
  /// floats are copied bit for bit, so scores do not change.
  package mutating func compact() {
    guard segments.count > 1 || !tombstones.isEmpty else { return }
    let d = dimension
    // Live (segment, row) pairs in id order: a merge of the sorted segments.
    var heads = [Int](repeating: 0, count: segments.count)
    var order: [(seg: Int, row: Int)] = []
    order.reserveCapacity(liveRows)
    while true {
      var best = -1
      for s in segments.indices where heads[s] < segments[s].rows {
        if best < 0 || segments[s].ids[heads[s]] < segments[best].ids[heads[best]] { best = s }
      }
      if best < 0 { break }
      let r = heads[best]
      heads[best] += 1
      if !Self.sortedContains(tombstones, segments[best].ids[r]) { order.append((best, r)) }
    }
    let n = order.count
    guard n > 0 else {
      segments = []
      tombstones = []
      return
    }
    // Cannot fail: the rows were stored before.
    let panels = try! SplitPanels(rows: n, dim: d, width: width)
    for (i, o) in order.enumerated() {
      let s = segments[o.seg].panels
      ck_copy_row(
        s.high, s.low, Int64(s.width), Int64(o.row), panels.high, panels.low, Int64(width), Int64(i), Int64(d))
    }
    for r in n..<panels.panelCount * width { ck_zero_row(panels.high, panels.low, Int64(width), Int64(r), Int64(d)) }
    let ids = order.map { segments[$0.seg].ids[$0.row] }
    segments = [IndexSegment.make(panels: panels, ids: ids, quantization: quantization)]
    tombstones = []
  }
}
