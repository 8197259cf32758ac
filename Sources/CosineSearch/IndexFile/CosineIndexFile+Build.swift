import CosineCore

extension CosineIndexFile {
  /// Prepares the rows of several `.npy` files (shards of one corpus, in order) as one index
  /// with ids and codes, reading a piece at a time when the ids are in increasing order.
  ///
  /// Rows are converted to `Float` as ``NPY/read(contentsOf:)`` converts them (float64 rows
  /// are rounded to `Float` first) and packed as ``init(_:ids:eps:quantization:)`` packs them.
  ///
  /// - Parameters:
  ///   - paths: `.npy` matrices [N_i, D] with the same D (a rank-1 file is one row).
  ///   - ids: One distinct id per row of all files; nil numbers the rows 0..<ΣN_i.
  ///   - eps: Floor of each norm. Default 1e-8.
  ///   - quantization: The codes stored beside the rows.
  ///   - inspect: Called with every piece read, the file and the flat index of its first element
  ///     in that file (to reject NaN, say); errors it throws are rethrown.
  /// - Throws: ``NPYError`` naming the file at fault; ``CosineError`` for different D, an id
  ///   count other than the row count or repeated ids.
  /// - Complexity: O(N·D); memory the index plus 4 MiB (plus the corpus once when the ids are
  ///   not increasing and the rows must be reordered).
  public init(
    contentsOf paths: [String], ids: [Int]? = nil, eps: Double = 1e-8, quantization: CosineIndexQuantization = .none,
    inspecting inspect: ((_ path: String, _ firstElement: Int, _ piece: UnsafeBufferPointer<Float>) throws -> Void)? =
      nil
  ) throws {
    try checkEps(eps)
    let (n, d, read) = try Self.corpusReader(paths, inspecting: inspect)
    if let ids, ids.count != n {
      throw CosineError.invalidShape("\(n) corpus rows but \(ids.count) ids")
    }
    let ids64 = ids.map { $0.map(Int64.init) } ?? (0..<Int64(n)).map { $0 }
    let width = Float.preferredPanelWidth
    let seg: IndexSegment
    if zip(ids64, ids64.dropFirst()).allSatisfy({ $0 < $1 }) {
      let plain = try CosineIndex<Float>(count: n, dimension: d, eps: eps) { range, buffer in try read(range, buffer) }
      guard case .single(let panels) = plain.storage else { preconditionFailure("a Float index has split panels") }
      seg = IndexSegment.make(panels: panels, ids: ids64, quantization: quantization)
    } else {
      var all = [Float](repeating: 0, count: n * d)
      try all.withUnsafeMutableBufferPointer { try read(0..<n, $0) }
      seg = try all.withUnsafeBufferPointer {
        try IndexTable.segment(
          $0.baseAddress, rows: n, ids: ids64, dimension: d, eps: eps, width: width, quantization: quantization)
      }
    }
    self.init(
      table: IndexTable(
        segments: n > 0 ? [seg] : [], tombstones: [], quantization: quantization, dimension: d,
        width: seg.width, eps: eps))
  }

  /// The rows of several `.npy` files (shards of one corpus, in order) as one corpus: its row
  /// count, its row length, and a reader of any range of its rows into a buffer, converted to
  /// `Float` and passed to `inspect` a piece at a time.
  ///
  /// - Throws: ``NPYError`` naming the file at fault (unreadable, not a matrix, another D).
  package static func corpusReader(
    _ paths: [String],
    inspecting inspect: ((_ path: String, _ firstElement: Int, _ piece: UnsafeBufferPointer<Float>) throws -> Void)?
  ) throws -> (rows: Int, dimension: Int, read: (Range<Int>, UnsafeMutableBufferPointer<Float>) throws -> Void) {
    let readers = try paths.map { try NPYRowReader(path: $0) }
    let d = readers.first?.columns ?? 0
    for r in readers where r.columns != d {
      throw NPYError(path: r.path, message: "rows of \(r.columns) elements, but \(readers[0].path) has \(d)")
    }
    let starts = readers.reduce(into: [0]) { $0.append($0.last! + $1.rows) }
    // Rows [range] of the concatenation into `buffer`.
    func read(_ range: Range<Int>, _ buffer: UnsafeMutableBufferPointer<Float>) throws {
      var r = range.lowerBound
      while r < range.upperBound {
        let f = starts.lastIndex { $0 <= r && $0 < starts.last! }!
        let local = r - starts[f]
        let m = Swift.min(range.upperBound - r, readers[f].rows - local)
        let slice = UnsafeMutableBufferPointer(
          rebasing: buffer[(r - range.lowerBound) * d..<(r - range.lowerBound + m) * d])
        try readers[f].read(local..<local + m, into: slice)
        try inspect?(paths[f], local * d, UnsafeBufferPointer(slice))
        r += m
      }
    }
    return (starts.last!, d, read)
  }
}
