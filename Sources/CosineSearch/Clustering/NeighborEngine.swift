import CCosineKernels
import CosineCore

/// Rows of one matrix packed once for the search kernels, as queries (tiles of up to 16 rows)
/// and, when asked, as a corpus (panels of 32 rows): the engine of the analyses.
///
/// Both packings normalize each row exactly as ``CosineIndex`` does, so every score is bitwise
/// the score ``CosineIndex/search(_:k:)-3rgor`` reports for the same pair, and the score of (i, j) equals
/// that of (j, i) (the same fused multiply-add chain over the same two rows).
package final class NeighborEngine<E: AnalysisKernelScalar>: @unchecked Sendable where E.Working == E {
  package let rows: Int
  package let dim: Int
  package let queryWidth: Int
  package let queries: PackedPanels<E>
  package let corpus: PackedPanels<E>?

  /// Packs `x` ([rows, dim], row-major). `E` is `Double` for `Double` input, `Float` otherwise.
  package init<T: TensorScalar>(_ x: UnsafePointer<T>, rows: Int, dim: Int, eps: Double, asCorpus: Bool) throws {
    self.rows = rows
    self.dim = dim
    let most = E.preferredQueryWidth(panelWidth: E.preferredPanelWidth)
    let tiles = (rows + most - 1) / most
    queryWidth = Swift.max(1, (rows + tiles - 1) / Swift.max(1, tiles))
    queries = try Packing.packed(x, rows: rows, dim: dim, eps: eps, width: queryWidth, as: E.self)
    corpus =
      asCorpus ? try Packing.packed(x, rows: rows, dim: dim, eps: eps, width: E.preferredPanelWidth, as: E.self) : nil
  }

  package var queryTiles: Int { (rows + queryWidth - 1) / queryWidth }

  /// For every query row, the best `k` rows of `corpus` (row ids, ranking scores), row-major
  /// [rows, k], in rank order (higher score, then lower id, NaN last). Query tiles are processed
  /// in blocks so that `report(done, total)` is called as the work advances; each block is split
  /// over the threads by tiles. `k` must be ≤ the corpus rows.
  package func search(
    _ corpus: PackedPanels<E>, k: Int, report: (_ doneRows: Int, _ totalRows: Int) throws -> Void
  ) rethrows -> (ids: [Int], scores: [Double]) {
    var ids = [Int](repeating: 0, count: rows * k)
    var scores = [Double](repeating: 0, count: rows * k)
    guard k > 0 else { return (ids, scores) }
    let tiles = queryTiles
    let aw = queryWidth
    // Blocks of at least 48 tiles per thread (the kernel streams the corpus once per 512 KiB
    // of queries, about 24 tiles at D = 384) and about 2^33 multiply-adds: progress a few
    // times a second, and the corpus read from memory at most once per ~700 queries a thread.
    let perTile = Swift.max(1, aw * corpus.panelCount * corpus.width * Swift.max(1, dim))
    let blockTiles = Swift.max(48 * CosineKitThreads.effectiveCount, (1 << 33) / perTile)
    var t0 = 0
    while t0 < tiles {
      let t1 = Swift.min(tiles, t0 + blockTiles)
      let q0 = t0 * aw
      let q1 = Swift.min(rows, t1 * aw)
      let heaps = TopKHeaps<E>(queries: q1 - q0, k: k)
      defer { heaps.deallocate() }
      let chunks = Parallel.chunkCount(t1 - t0, costPerItem: perTile)
      Parallel.run(t1 - t0, chunks: chunks) { _, range in
        let a0 = (t0 + range.lowerBound) * aw
        let a1 = Swift.min(rows, (t0 + range.upperBound) * aw)
        corpus.offer(
          queries.panel(t0 + range.lowerBound), rows: a1 - a0, width: aw,
          corpusRows: 0..<corpus.panelCount * corpus.width, heaps: heaps.pointers(forQueries: a0 - q0..<a1 - q0))
      }
      ids.withUnsafeMutableBufferPointer { i in
        scores.withUnsafeMutableBufferPointer { s in
          TopKHeaps.collect([heaps], into: i.baseAddress! + q0 * k, s.baseAddress! + q0 * k)
        }
      }
      try report(q1, rows)
      t0 = t1
    }
    return (ids, scores)
  }

  /// For every row, its best `k` OTHER rows (k ≤ rows − 1), in rank order: the best `k + 1` rows
  /// of the matrix with the row itself removed by index (or, when it is not among them, the
  /// last dropped). Exact with duplicate rows: a row equal to the query is kept, the query is not.
  package func otherNeighbors(k: Int, report: (Int, Int) throws -> Void) rethrows -> (ids: [Int], scores: [Double]) {
    precondition(k >= 0 && k < rows, "k must be below the row count")
    if let float = self as? NeighborEngine<Float>, k > 0 {
      return try float.pairNeighbors(k: k, report: report)
    }
    let corpus = self.corpus!
    let (ids, scores) = try search(corpus, k: k + 1, report: report)
    var outI = [Int](repeating: 0, count: rows * k)
    var outS = [Double](repeating: 0, count: rows * k)
    for q in 0..<rows {
      var w = 0
      for j in 0..<k + 1 where w < k {
        let id = ids[q * (k + 1) + j]
        if id == q { continue }
        outI[q * k + w] = id
        outS[q * k + w] = scores[q * (k + 1) + j]
        w += 1
      }
    }
    return (outI, outS)
  }
}

extension NeighborEngine where E == Float {
  /// ``otherNeighbors(k:report:)`` scoring each pair of rows once: tiles of rows (whole query
  /// tiles, about 256 rows) against blocks of rows (16 corpus panels, 512 rows) on and above the
  /// diagonal, by the GEMM kernel (the scores the search kernel gives, bitwise, and symmetric), each
  /// score of a pair i < j offered to both rows' slots (`ck_offer_pairs_f32`). Each thread keeps
  /// slots for every row; they are merged at the end (every pair is offered by one thread only,
  /// and the order is total, so the result is that of the full search). Half the products of
  /// the full search.
  package func pairNeighbors(k: Int, report: (Int, Int) throws -> Void) rethrows -> (ids: [Int], scores: [Double]) {
    let corpus = self.corpus!
    let (n, d, aw, bw) = (rows, dim, queryWidth, corpus.width)
    let tilesPerBlock = Swift.max(1, 256 / aw)
    let rb = tilesPerBlock * aw
    let panelsPerBlock = Swift.max(1, 512 / bw)
    let cb = panelsPerBlock * bw
    let rowBlocks = (n + rb - 1) / rb
    let colBlocks = (n + cb - 1) / cb
    // The block pairs holding some pair i < j, in row-block order.
    var pairs: [(row: Int, col: Int)] = []
    for r in 0..<rowBlocks {
      for c in (r * rb) / cb..<colBlocks where (c + 1) * cb - 1 > r * rb { pairs.append((r, c)) }
    }
    let threads = Swift.max(1, Swift.min(CosineKitThreads.effectiveCount, pairs.count))
    let heaps = (0..<threads).map { _ in TopKHeaps<Float>(queries: n, k: k) }
    defer { for h in heaps { h.deallocate() } }
    let tiles = SharedPointer(UnsafeMutablePointer<Float>.allocate(capacity: threads * (rb * cb + cb)))
    defer { tiles.base.deallocate() }
    // Segments of the pairs, so that progress is reported as the work advances (about 2^33
    // multiply-adds each).
    let perPair = rb * cb * Swift.max(1, d)
    let segment = Swift.max(threads, (1 << 33) / perPair)
    var p0 = 0
    while p0 < pairs.count {
      let p1 = Swift.min(pairs.count, p0 + segment)
      Parallel.run(p1 - p0, chunks: Swift.min(threads, p1 - p0)) { chunk, range in
        let tile = tiles.base + chunk * (rb * cb + cb)
        let h = heaps[chunk].pointers(forQueries: 0..<n)
        let c = ck_heaps_f32(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(k), capacity: Int64(h.capacity))
        for p in pairs[p0 + range.lowerBound..<p0 + range.upperBound] {
          let r0 = p.row * rb
          let c0 = p.col * cb
          let m = Swift.min(rb, n - r0)
          let w = Swift.min(cb, n - c0)
          Float.gemm(
            queries.panel(p.row * tilesPerBlock), rows: m, width: aw, corpus.panel(p.col * panelsPerBlock), width: bw,
            rows: w, dim: d, into: tile, rowStride: cb)
          ck_offer_pairs_f32(tile, Int64(cb), Int64(m), Int64(w), Int64(r0), Int64(c0), c, tile + rb * cb)
        }
      }
      p0 = p1
      try report(Int(Double(n) * Double(p0) / Double(pairs.count)), n)
    }
    var ids = [Int](repeating: 0, count: n * k)
    var scores = [Double](repeating: 0, count: n * k)
    ids.withUnsafeMutableBufferPointer { i in
      scores.withUnsafeMutableBufferPointer { s in TopKHeaps.collect(heaps, into: i.baseAddress!, s.baseAddress!) }
    }
    return (ids, scores)
  }
}

/// Calls `body` with a ``NeighborEngine`` of the right element type for `T`.
package func withNeighborEngine<T: TensorScalar, R>(
  _ x: Tensor<T>, rows: Int, dim: Int, eps: Double, asCorpus: Bool,
  _ body: (_ engine: AnyNeighborEngine) throws -> R
) throws -> R {
  try checkEps(eps)
  return try x.scalars.withUnsafeBufferPointer { p in
    try body(
      anyNeighborEngine(
        p.baseAddress!, rows: rows, dim: dim, eps: eps, asCorpus: asCorpus, working: T.packedAnalysisKernels))
  }
}

/// A ``NeighborEngine`` in the working type `E`.
private func anyNeighborEngine<T: TensorScalar, K: AnalysisKernelScalar>(
  _ x: UnsafePointer<T>, rows: Int, dim: Int, eps: Double, asCorpus: Bool, working _: K.Type
) throws -> AnyNeighborEngine {
  typealias E = K.Working
  return E.anyNeighborEngine(try NeighborEngine<E>(x, rows: rows, dim: dim, eps: eps, asCorpus: asCorpus))
}

/// A ``NeighborEngine`` of either element type.
package enum AnyNeighborEngine {
  case float(NeighborEngine<Float>)
  case double(NeighborEngine<Double>)

  package func otherNeighbors(k: Int, report: (Int, Int) throws -> Void) rethrows -> (ids: [Int], scores: [Double]) {
    switch self {
    case .float(let e): return try e.otherNeighbors(k: k, report: report)
    case .double(let e): return try e.otherNeighbors(k: k, report: report)
    }
  }
}
