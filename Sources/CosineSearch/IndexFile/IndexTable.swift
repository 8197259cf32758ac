import CCosineKernels
import CosineCore

/// The rows of an index with ids: segments in the order they were added, each sorted by id,
/// and the ids removed but still stored (tombstones), until compaction drops them.
///
/// An inverted-file index (``ivf`` set) keeps each segment in one list: ``segmentLists`` says
/// which. Rows are added to the list of their best centroid; compaction merges each list's
/// segments into one.
package struct IndexTable: Sendable {
  package var segments: [IndexSegment]
  /// The coarse centroids of an inverted-file index; nil for a flat index.
  package let ivf: CoarseQuantizer?
  /// The list of each segment (parallel to ``segments``) of an inverted-file index; empty otherwise.
  package var segmentLists: [Int]
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
    eps: Double, file: FileState = FileState(), ivf: CoarseQuantizer? = nil, segmentLists: [Int] = []
  ) {
    precondition(ivf == nil ? segmentLists.isEmpty : segmentLists.count == segments.count)
    self.ivf = ivf
    self.segmentLists = segmentLists
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
    // The new ids already stored.
    var stored = Set<Int64>()
    for (seg, rows) in zip(segments, Self.rows(holding: newIds, in: segments)) {
      for r in rows { stored.insert(seg.ids[r]) }
    }
    var revived = false
    for id in newIds where stored.contains(id) {
      if Self.sortedContains(tombstones, id) {
        revived = true
      } else {
        throw CosineError.invalidArgument("id \(id) is already in the index (duplicate ids are not allowed)")
      }
    }
    if let ivf {
      try addToLists(x, rows: n, ids: newIds, quantizer: ivf, revived: revived)
      return
    }
    let seg = try Self.segment(
      x, rows: n, ids: newIds, dimension: dimension, eps: eps, width: width, quantization: quantization)
    if revived { compact() }
    segments.append(seg)
    if segments.count > IndexFileFormat.maxSegments - 1 { compact() }
  }

  /// The most segments a list keeps before ``add(_:rows:ids:)`` merges them.
  package static var segmentsPerList: Int { 8 }

  /// Inverted file: each new row goes to the list of its best centroid, one new segment per list
  /// that gains rows; a list past ``segmentsPerList`` segments is merged.
  private mutating func addToLists<T: TensorScalar>(
    _ x: UnsafePointer<T>?, rows n: Int, ids newIds: [Int64], quantizer: CoarseQuantizer, revived: Bool
  ) throws {
    let d = dimension
    var rows = [Float](repeating: 0, count: n * d)
    if let x, d > 0 {
      rows.withUnsafeMutableBufferPointer { p in
        for i in 0..<(n * d) { p[i] = Float(x[i]) }
      }
    }
    let matrix = Tensor(uncheckedShape: [n, d], scalars: rows)
    let added = try Self.listSegments(
      matrix, ids: newIds, labels: try quantizer.assign(matrix), nlist: quantizer.nlist, eps: eps, width: width,
      quantization: quantization)
    if revived { compact() }
    for a in added {
      segments.append(a.segment)
      segmentLists.append(a.list)
    }
    var perList = [Int](repeating: 0, count: quantizer.nlist)
    for l in segmentLists { perList[l] += 1 }
    let crowded = Set(added.map(\.list).filter { perList[$0] > Self.segmentsPerList })
    if !crowded.isEmpty { compact(lists: crowded) }
  }

  /// Marks the rows of `ids` removed; returns how many were live. Unknown ids are ignored.
  package mutating func remove(_ ids: some Sequence<Int>) -> Int {
    var set = Set(tombstones)
    let wanted = Array(Set(ids.map(Int64.init)).subtracting(set))
    var removed = 0
    for (seg, rows) in zip(segments, Self.rows(holding: wanted, in: segments)) {
      for r in rows where set.insert(seg.ids[r]).inserted { removed += 1 }
    }
    tombstones = set.sorted()
    return removed
  }

  /// Rewrites the live rows into one segment in id order (one per list for an inverted file),
  /// dropping removed rows. The packed floats are copied bit for bit, so scores do not change.
  package mutating func compact() {
    if let ivf {
      compact(lists: Set(0..<ivf.nlist))
      return
    }
    guard segments.count > 1 || !tombstones.isEmpty else { return }
    let merged = merge(Array(segments.indices))
    segments = merged.map { [$0] } ?? []
    tombstones = []
  }

  /// Inverted file: merges the segments of each of `lists` into one, dropping their removed rows
  /// (and those rows' tombstones); other lists are left as they are.
  package mutating func compact(lists: Set<Int>) {
    var keep: [(IndexSegment, Int)] = []
    var byList: [Int: [Int]] = [:]
    for (i, l) in segmentLists.enumerated() {
      if lists.contains(l) { byList[l, default: []].append(i) } else { keep.append((segments[i], l)) }
    }
    let dead = deadRows()
    var dropped = Set<Int64>()
    var merged: [(IndexSegment, Int)] = []
    for l in byList.keys.sorted() {
      let idx = byList[l]!
      if idx.count == 1 && dead[idx[0]].isEmpty {
        merged.append((segments[idx[0]], l))
        continue
      }
      for i in idx { for r in dead[i] { dropped.insert(segments[i].ids[r]) } }
      if let m = merge(idx) { merged.append((m, l)) }
    }
    let all = keep + merged
    segments = all.map(\.0)
    segmentLists = all.map(\.1)
    tombstones = tombstones.filter { !dropped.contains($0) }
  }

  /// The live rows of segments `indices` in one new segment, in id order; nil when none is live.
  private func merge(_ indices: [Int]) -> IndexSegment? {
    let d = dimension
    let segs = indices.map { segments[$0] }
    // Live (segment, row) pairs in id order: a merge of the sorted segments.
    var heads = [Int](repeating: 0, count: segs.count)
    var order: [(seg: Int, row: Int)] = []
    while true {
      var best = -1
      for s in segs.indices where heads[s] < segs[s].rows {
        if best < 0 || segs[s].ids[heads[s]] < segs[best].ids[heads[best]] { best = s }
      }
      if best < 0 { break }
      let r = heads[best]
      heads[best] += 1
      if !Self.sortedContains(tombstones, segs[best].ids[r]) { order.append((best, r)) }
    }
    let n = order.count
    guard n > 0 else { return nil }
    // Cannot fail: the rows were stored before.
    let panels = try! SplitPanels(rows: n, dim: d, width: width)
    for (i, o) in order.enumerated() {
      let s = segs[o.seg].panels
      ck_copy_row(
        s.high, s.low, Int64(s.width), Int64(o.row), panels.high, panels.low, Int64(width), Int64(i), Int64(d))
    }
    for r in n..<panels.panelCount * width { ck_zero_row(panels.high, panels.low, Int64(width), Int64(r), Int64(d)) }
    let ids = order.map { segs[$0.seg].ids[$0.row] }
    return IndexSegment.make(panels: panels, ids: ids, quantization: quantization)
  }
}
