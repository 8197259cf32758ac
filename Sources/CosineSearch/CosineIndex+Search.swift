import CosineCore

extension CosineIndex {
  /// The `min(k, N)` best corpus rows for each query, by descending cosine similarity.
  ///
  /// Queries are normalized like the corpus and packed into tiles of up to 14 rows. Each core
  /// takes a range of the queries (or, when there are few queries, a range of the corpus),
  /// streams the corpus panels past blocks of queries that stay in its L2 cache, and offers each
  /// tile of scores to per-query heaps of size k after a threshold test (for k ≥ 64, a
  /// reservoir cut back by quickselect); per-core heaps are merged at the end. Up to 8 queries
  /// against a large `Float` or `Float16` corpus are bound by memory bandwidth: a bfloat16 pass
  /// over half the bytes flags the panels that may hold a result, and only those are scored
  /// exactly (see the type's documentation); the results are the same.
  ///
  /// ```swift
  /// let r = try index.search(queries, k: 5)
  /// r.indices   // [Q·5] row ids, best first per query
  /// r.scores    // matching cosines
  /// ```
  ///
  /// - Parameters:
  ///   - queries: Shape [Q, D] (a rank-1 tensor is one query).
  ///   - k: Results per query; must be ≥ 0.
  /// - Returns: For each query the `min(k, N)` best rows in rank order: higher score first,
  ///   equal scores by lower row index, NaN last. Identical to sorting all Q·N scores.
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` if the queries are not [Q, D] with
  ///   the index's D; ``CosineError/invalidArgument(_:)`` if `k < 0`.
  ///
  /// **Edge cases:** `k = 0`, Q = 0 or N = 0 give empty lists; `k > N` gives all N rows; zero
  /// queries or rows score 0; NaN scores come last.
  /// - Complexity: O(Q·N·D) multiply-adds on all cores and O(Q·N·log k) worst-case heap work
  ///   (typically O(Q·k·log(N/k)·log k) on unordered data); memory O(Q·D + threads·Q·k).
  ///   With the bfloat16 pass, N·D·2 bytes are read instead of N·D·4.
  public func search(_ queries: Tensor<Scalar>, k: Int) throws -> CosineSearchResults<Scalar> {
    guard k >= 0 else { throw CosineError.invalidArgument("top-k must be >= 0, got \(k)") }
    let q = queries.rank == 1 ? queries.reshaped([1, queries.count]) : queries
    guard q.rank == 2, q.shape[1] == dimension else {
      throw CosineError.shapeMismatch(
        operation: "top-k search (needs queries [Q, D] and a corpus [N, D])", queries.shape, [count, dimension])
    }
    if dimension == 0 { return try emptyRowResults(queries: q.shape[0], k: Swift.min(k, count)) }
    switch storage {
    case .single(let panels):
      if Prefilter.applies(queries: q.shape[0], k: Swift.min(k, count), rows: count, dim: dimension) {
        if let r = try prefilteredSearch(panels, q, Swift.min(k, count)) { return r }
      }
      return try run(panels, q, k)
    case .double(let panels): return try run(panels, q, k)
    }
  }

  /// Results when rows have no elements (D = 0): every score is 0 (a zero row scores 0), so
  /// the first `k` rows win every query, found at once without visiting the other rows.
  package func emptyRowResults(queries nq: Int, k kk: Int) throws -> CosineSearchResults<Scalar> {
    try MemoryBudget.check(
      count: MemoryBudget.elementCount([nq, kk]), elementSize: 16 + MemoryLayout<Scalar>.stride,
      "the results [\(nq), \(kk)] of the search")
    let indices = (0..<nq).flatMap { _ in 0..<kk }
    let zeros = [Double](repeating: 0, count: indices.count)
    return CosineSearchResults(
      queryCount: nq, k: kk, indices: indices, scores: zeros.map { Scalar($0) }, rankingScores: zeros)
  }

  package func run<C: SearchCorpus>(_ corpus: C, _ queries: Tensor<Scalar>, _ k: Int) throws -> CosineSearchResults<
    Scalar
  > {
    typealias E = C.Element
    let nq = queries.shape[0]
    let d = dimension
    let kk = Swift.min(k, count)
    guard nq > 0, kk > 0 else {
      return CosineSearchResults(
        queryCount: nq, k: kk, indices: [], scores: [], rankingScores: [])
    }
    try MemoryBudget.check(
      count: MemoryBudget.elementCount([nq, kk]), elementSize: 16 + MemoryLayout<Scalar>.stride,
      "the results [\(nq), \(kk)] of the search")
    let bw = corpus.width
    // Query tiles of balanced height, up to the register block.
    let most = E.preferredQueryWidth(panelWidth: bw)
    let tiles = (nq + most - 1) / most
    let aw = (nq + tiles - 1) / tiles
    let packed = try queries.scalars.withUnsafeBufferPointer { p in
      try Packing.packed(p.baseAddress, rows: nq, dim: d, eps: eps, width: aw, as: E.self)
    }
    let plan = SearchPlan(queries: nq, queryTiles: tiles, corpusPanels: corpus.panelCount, dim: d, panelWidth: bw)

    var parts: [TopKHeaps<E>] = []
    if plan.splitsCorpus {
      parts = (0..<plan.chunks).map { _ in TopKHeaps<E>(queries: nq, k: kk) }
      let heaps = parts
      Parallel.run(corpus.panelCount, chunks: plan.chunks) { c, panels in
        corpus.offer(
          packed.base, rows: nq, width: aw, corpusRows: panels.lowerBound * bw..<panels.upperBound * bw,
          heaps: heaps[c].pointers(forQueries: 0..<nq))
      }
    } else {
      let heaps = TopKHeaps<E>(queries: nq, k: kk)
      parts = [heaps]
      Parallel.run(tiles, chunks: plan.chunks) { _, range in
        let q0 = range.lowerBound * aw
        let q1 = Swift.min(nq, range.upperBound * aw)
        corpus.offer(
          packed.panel(range.lowerBound), rows: q1 - q0, width: aw, corpusRows: 0..<corpus.panelCount * bw,
          heaps: heaps.pointers(forQueries: q0..<q1))
      }
    }
    defer { for p in parts { p.deallocate() } }

    var indices = [Int](repeating: 0, count: nq * kk)
    var ranking = [Double](repeating: 0, count: nq * kk)
    indices.withUnsafeMutableBufferPointer { i in
      ranking.withUnsafeMutableBufferPointer { s in
        TopKHeaps.collect(parts, into: i.baseAddress!, s.baseAddress!)
      }
    }
    return CosineSearchResults(
      queryCount: nq, k: kk, indices: indices, scores: ranking.map { Scalar($0) }, rankingScores: ranking)
  }
}

/// How a search splits over threads.
///
/// With at least four query tiles per thread the queries are split: every thread streams the
/// whole corpus past its own queries and fills their heaps. With fewer queries (down to one)
/// the corpus is split instead: each thread keeps heaps for every query over its range of the
/// corpus, and the heaps are merged afterwards. Either way each corpus panel is read from
/// memory once per block of queries that fits in L2.
package struct SearchPlan {
  package let chunks: Int
  package let splitsCorpus: Bool

  package init(queries: Int, queryTiles: Int, corpusPanels: Int, dim: Int, panelWidth: Int) {
    let threads = CosineKitThreads.effectiveCount
    let (w1, o1) = queries.multipliedReportingOverflow(by: corpusPanels * panelWidth)
    let (work, o2) = w1.multipliedReportingOverflow(by: Swift.max(1, dim))
    let parallel = threads > 1 && (o1 || o2 || work >= 1 << 22)
    if !parallel {
      chunks = 1
      splitsCorpus = true
    } else if queryTiles >= 4 * threads || corpusPanels < 2 * threads {
      chunks = Swift.min(threads, queryTiles)
      splitsCorpus = false
    } else {
      chunks = Swift.max(1, Swift.min(threads, corpusPanels))
      splitsCorpus = true
    }
  }
}
