import CosineCore

extension CosineIndexFile {
  /// Prepares a corpus with ids and a quantized first pass.
  ///
  /// Rows are normalized and packed as ``CosineIndex/init(_:eps:)`` does (scores are bitwise the same);
  /// they are stored in increasing id order, so that equal scores rank by lower id. With
  /// `.int8`, searches of up to 8 queries scan int8 codes first and rescore exactly: results
  /// are identical to the exact search. With `.binary`, ``search(_:k:filter:rescore:)-5744w`` with a
  /// `rescore` factor is approximate.
  ///
  /// ```swift
  /// var index = try CosineIndexFile(corpus, ids: myIds, quantization: .int8)
  /// try index.save(to: "corpus.cosidx")
  /// ```
  ///
  /// - Parameters:
  ///   - corpus: [N, D] (a rank-1 tensor is one row).
  ///   - ids: One distinct id per row; nil numbers the rows 0..<N.
  ///   - eps: Floor of each norm. Default 1e-8.
  ///   - quantization: The codes stored beside the rows.
  /// - Throws: ``CosineError/invalidArgument(_:)`` for repeated ids or an invalid eps; ``CosineError/invalidShape(_:)`` for a corpus that is not a matrix or an id
  ///   count other than N.
  /// - Complexity: O(N·D + N log N); N·(4D + 8) bytes, plus D + 8 (int8) or D/8 (binary) per row.
  ///
  /// **Edge cases:** N = 0 gives an empty index; zero rows score 0; rows with NaN are rescored
  /// on every search and rank last.
  public init(
    _ corpus: Tensor<Float>, ids: [Int]? = nil, eps: Double = 1e-8, quantization: CosineIndexQuantization = .none
  ) throws {
    let (c, ids64) = try Self.checkedCorpus(corpus, ids: ids, eps: eps)
    let n = c.shape[0]
    let d = c.shape[1]
    let width = Float.preferredPanelWidth
    let seg = try c.scalars.withUnsafeBufferPointer { p in
      try IndexTable.segment(
        p.baseAddress, rows: n, ids: ids64, dimension: d, eps: eps, width: width, quantization: quantization)
    }
    self.init(
      table: IndexTable(
        segments: n > 0 ? [seg] : [], tombstones: [], quantization: quantization, dimension: d, width: width, eps: eps))
  }

  /// `corpus` as a matrix [N, D] (a rank-1 tensor is one row) and its ids (nil: 0..<N), checked
  /// with `eps` as every way of building an index checks them.
  ///
  /// - Throws: ``CosineError`` for an invalid eps, a corpus that is not a matrix, or an id count
  ///   other than N.
  package static func checkedCorpus(_ corpus: Tensor<Float>, ids: [Int]?, eps: Double) throws -> (
    Tensor<Float>, [Int64]
  ) {
    try checkEps(eps)
    let c = corpus.rank == 1 ? corpus.reshaped([1, corpus.count]) : corpus
    guard c.rank == 2 else {
      throw CosineError.invalidShape(
        "a search corpus must be a matrix [N, D], got shape \(Shape.describe(corpus.shape))")
    }
    let n = c.shape[0]
    let ids64 = ids.map { $0.map(Int64.init) } ?? (0..<Int64(n)).map { $0 }
    guard ids64.count == n else { throw CosineError.invalidShape("\(n) corpus rows but \(ids64.count) ids") }
    return (c, ids64)
  }

  /// Opens an index file written by ``save(to:)-ynss`` by mapping it into memory.
  ///
  /// Nothing is read or re-packed: the file holds the packed layout. Both header slots are
  /// checked (magic, version, checksum), then every block's size and offset against the file,
  /// the counts, and that ids increase within each segment. Rows are paged in as searches touch
  /// them; an int8 search touches the codes and the few rows it rescores.
  ///
  /// - Parameter path: The index file.
  /// - Throws: ``NPYError`` naming `path` with the reason (missing file, truncation, checksum
  ///   mismatch, an offset outside the file, 32-row panels on a CPU without AVX-512, …).
  /// - Complexity: O(N) to check the ids; no copy of the rows.
  ///
  /// **Edge cases:** an index with every row removed opens with `count == 0`.
  public init(mapping path: String) throws {
    self.init(table: try IndexTable.open(path: path))
  }

  /// Writes the index to `path` in the index file format (see <doc:IndexFiles>).
  ///
  /// When `path` is the file the index was mapped from (or last saved to), is unchanged since,
  /// and the index only gained rows or lost ids, the new blocks are appended and a new header
  /// is written to the file's other header slot (readers see the old or the new index, never a
  /// mix). Otherwise the whole file is written to a temporary file and renamed over `path`.
  ///
  /// - Throws: ``NPYError`` naming `path` if it cannot be written (an existing file is then
  ///   left as it was).
  /// - Complexity: O(bytes written).
  public func save(to path: String) throws {
    try table.save(to: path)
  }

  /// Adds rows with ids.
  ///
  /// The rows are normalized and packed into a new segment (in id order); nothing stored is
  /// rewritten. ``save(to:)-ynss`` then appends them to the index file.
  ///
  /// - Parameters:
  ///   - rows: [M, D] with the index's D (a rank-1 tensor is one row).
  ///   - ids: One id per row, distinct and not in the index; nil: the ids after the largest
  ///     stored id (0, 1, … for an empty index).
  /// - Throws: ``CosineError/invalidArgument(_:)`` for an id already in the index or a repeated
  ///   id; ``CosineError/shapeMismatch(operation:_:_:)`` for another D.
  /// - Complexity: O(M·D + M·S·log N) for S segments.
  ///
  /// **Edge cases:** an id that was removed may be added again (the index is compacted first);
  /// M = 0 changes nothing; past 47 segments the index is compacted.
  public mutating func add(_ rows: Tensor<Float>, ids: [Int]? = nil) throws {
    let r = rows.rank == 1 ? rows.reshaped([1, rows.count]) : rows
    guard r.rank == 2, r.shape[1] == dimension else {
      throw CosineError.shapeMismatch(
        operation: "adding rows to an index (needs [M, D])", rows.shape, [count, dimension])
    }
    try r.scalars.withUnsafeBufferPointer { p in
      try table.add(p.baseAddress, rows: r.shape[0], ids: ids.map { $0.map(Int64.init) })
    }
  }

  /// Removes the rows of `ids` (tombstones: the rows stay stored until ``compact()``).
  ///
  /// - Returns: How many of the ids were in the index; unknown or already removed ids are ignored.
  /// - Complexity: O(|ids|·S·log N + T log T) for T removed ids.
  @discardableResult
  public mutating func remove<S: Sequence>(ids: S) -> Int where S.Element == Int {
    table.remove(ids)
  }

  /// Rewrites the stored rows into one segment without the removed ones. Scores do not change
  /// (the packed floats are copied bit for bit); ``save(to:)-ynss`` then rewrites the whole file.
  ///
  /// - Complexity: O(N·D).
  public mutating func compact() {
    table.compact()
  }

  /// The `min(k, P)` best rows among the P live rows that pass `filter`, per query; the
  /// result's indices are ids.
  ///
  /// Exact unless `rescore` is given for a `.binary` index: then each query takes the
  /// `k · rescore` rows nearest in Hamming distance of the sign bits (ties by lower row) and
  /// ranks those by their exact score: approximate. On an `.int8` index, up to 8 queries scan
  /// the int8 codes, bound each score's error and rescore exactly every row the bound cannot
  /// exclude: the results are identical to the exact search.
  ///
  /// - Parameters:
  ///   - queries: [Q, D] (a rank-1 tensor is one query).
  ///   - k: Results per query, ≥ 0.
  ///   - filter: The rows that may be returned; nil: all.
  ///   - rescore: Candidates per result for a binary index (≥ 1); ignored otherwise.
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)``, ``CosineError/invalidArgument(_:)``
  ///   for k < 0 or rescore < 1.
  /// - Complexity: as ``CosineIndex/search(_:k:)-3rgor``; a filter costs O(N) per search (O(|allowed|·log N) for
  ///   an allow set) and touches only panels holding passing rows when few pass.
  ///
  /// **Edge cases:** ties rank by lower id; NaN scores last; a filter passing no row gives
  /// empty lists.
  public func search(_ queries: Tensor<Float>, k: Int, filter: CosineIndexFilter? = nil, rescore: Int? = nil) throws
    -> CosineSearchResults<Float>
  {
    if let rescore, rescore < 1 { throw CosineError.invalidArgument("rescore must be >= 1, got \(rescore)") }
    return try table.search(try checkedQueries(queries, k: k), k: k, filter: filter, rescore: rescore)
  }

  /// `queries` as a matrix [Q, D] of this index's D (a rank-1 tensor is one query), with k ≥ 0.
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` for k < 0,
  ///   ``CosineError/shapeMismatch(operation:_:_:)`` for another shape.
  package func checkedQueries(_ queries: Tensor<Float>, k: Int) throws -> Tensor<Float> {
    guard k >= 0 else { throw CosineError.invalidArgument("top-k must be >= 0, got \(k)") }
    let q = queries.rank == 1 ? queries.reshaped([1, queries.count]) : queries
    guard q.rank == 2, q.shape[1] == dimension else {
      throw CosineError.shapeMismatch(
        operation: "top-k search (needs queries [Q, D] and a corpus [N, D])", queries.shape, [count, dimension])
    }
    return q
  }

  /// ``init(mapping:)`` off the cooperative thread pool, with the calling task's thread count
  /// (`withThreadCount(_:_:)`).
  ///
  /// - Throws: as ``init(mapping:)``, and `CancellationError` if the task is already cancelled.
  public static func mapping(_ path: String) async throws -> CosineIndexFile {
    try await OffPool.run("mapping") { _ in try CosineIndexFile(mapping: path) }
  }

  /// ``search(_:k:filter:rescore:)-5744w`` off the cooperative thread pool, on all cores or the
  /// calling task's thread count (`withThreadCount(_:_:)`).
  ///
  /// - Throws: as the synchronous form, and `CancellationError` if the task is already cancelled
  ///   (a search that has started runs to its end).
  public func search(_ queries: Tensor<Float>, k: Int, filter: CosineIndexFilter? = nil, rescore: Int? = nil)
    async throws
    -> CosineSearchResults<Float>
  {
    let index = self
    return try await OffPool.run("search") { _ in try index.search(queries, k: k, filter: filter, rescore: rescore) }
  }

  /// ``save(to:)-ynss`` off the cooperative thread pool, with the calling task's thread count.
  ///
  /// - Throws: as ``save(to:)-ynss``, and `CancellationError` if the task is already cancelled
  ///   (then nothing is written).
  public func save(to path: String) async throws {
    let index = self
    try await OffPool.run("save") { _ in try index.save(to: path) }
  }
}
