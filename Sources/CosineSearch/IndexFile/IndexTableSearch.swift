import CCosineKernels
import CosineCore

/// The rows of one segment a search may return: a bit per row (nil: every row).
package struct RowSelection {
  package var mask: [UInt64]?
  package var passCount: Int

  @inline(__always)
  package func passes(_ r: Int) -> Bool {
    guard let mask else { return true }
    return mask[r >> 6] & (1 << UInt64(r & 63)) != 0
  }

  /// The rows of `segment` that are live and pass `filter`; `dead` are its removed rows.
  package init(_ segment: IndexSegment, dead: [Int], filter: CosineIndexFilter?) {
    let n = segment.rows
    func full() -> [UInt64] {
      var m = [UInt64](repeating: ~0, count: (n + 63) / 64)
      if n % 64 != 0 { m[m.count - 1] = (1 << UInt64(n % 64)) - 1 }
      return m
    }
    func clear(_ m: inout [UInt64], _ r: Int) { m[r >> 6] &= ~(1 << UInt64(r & 63)) }
    switch filter?.kind {
    case nil:
      if dead.isEmpty {
        mask = nil
        passCount = n
        return
      }
      var m = full()
      for r in dead { clear(&m, r) }
      mask = m
    case .deny(let ids):
      var m = full()
      for r in dead { clear(&m, r) }
      if ids.count < n {
        for id in ids { if let r = segment.row(of: id) { clear(&m, r) } }
      } else {
        for r in 0..<n where ids.contains(segment.id(r)) { clear(&m, r) }
      }
      mask = m
    case .allow(let ids):
      var m = [UInt64](repeating: 0, count: (n + 63) / 64)
      if ids.count < n {
        for id in ids { if let r = segment.row(of: id) { m[r >> 6] |= 1 << UInt64(r & 63) } }
      } else {
        for r in 0..<n where ids.contains(segment.id(r)) { m[r >> 6] |= 1 << UInt64(r & 63) }
      }
      for r in dead { clear(&m, r) }
      mask = m
    case .predicate(let f):
      var m = [UInt64](repeating: 0, count: (n + 63) / 64)
      for r in 0..<n where f(segment.id(r)) { m[r >> 6] |= 1 << UInt64(r & 63) }
      for r in dead { clear(&m, r) }
      mask = m
    }
    passCount = mask!.reduce(0) { $0 + $1.nonzeroBitCount }
  }
}

extension IndexTable {
  /// The rows of each of `segments` whose id is among `ids`: each id looked up in every segment,
  /// or, when that is more work (many segments, as in an inverted file), every stored id looked
  /// up in the set of `ids`. Rows are in increasing order when `ids` is sorted.
  package static func rows(holding ids: [Int64], in segments: [IndexSegment]) -> [[Int]] {
    guard !ids.isEmpty else { return [[Int]](repeating: [], count: segments.count) }
    if ids.count * segments.count <= segments.reduce(0, { $0 + $1.rows }) {
      return segments.map { seg in ids.compactMap { seg.row(of: Int($0)) } }
    }
    let wanted = Set(ids)
    return segments.map { seg in (0..<seg.rows).filter { wanted.contains(seg.ids[$0]) } }
  }

  /// The removed rows of each segment.
  package func deadRows() -> [[Int]] { Self.rows(holding: tombstones, in: segments) }

  /// The live rows of every segment that pass `filter`.
  package func selections(_ filter: CosineIndexFilter?) -> [RowSelection] {
    zip(segments, deadRows()).map { RowSelection($0, dead: $1, filter: filter) }
  }

  /// What every search of the table starts with: the live rows passing `filter` per segment, the
  /// result count min(k, passing rows), and the queries normalized and packed row by row (nil
  /// when there are no queries or no results).
  package func prepareSearch<Scalar: TensorScalar>(
    _ queries: Tensor<Scalar>, k: Int, filter: CosineIndexFilter?
  ) throws -> (selections: [RowSelection], k: Int, packed: PackedPanels<Float>?) {
    let nq = queries.shape[0]
    let selections = selections(filter)
    let kk = Swift.min(k, selections.reduce(0) { $0 + $1.passCount })
    guard nq > 0, kk > 0 else { return (selections, kk, nil) }
    let packed = try queries.scalars.withUnsafeBufferPointer { p in
      try Packing.packed(p.baseAddress, rows: nq, dim: dimension, eps: eps, width: 1, as: Float.self)
    }
    return (selections, kk, packed)
  }

  /// The largest query count for the int8 first pass (beyond it the exact GEMM path wins).
  package static var int8MaxQueries: Int { 8 }

  /// Exact (or, for a binary index with `rescore`, approximate) top k of each query among the
  /// live rows passing `filter`; `indices` of the result are ids.
  package func search<Scalar: TensorScalar>(
    _ queries: Tensor<Scalar>, k: Int, filter: CosineIndexFilter?, rescore: Int?
  ) throws -> CosineSearchResults<Scalar> {
    // An inverted file searched exactly: every list probed.
    if let ivf { return try ivfSearch(queries, k: k, nprobe: ivf.nlist, filter: filter) }
    let nq = queries.shape[0]
    let d = dimension
    let (selections, kk, packedQueries) = try prepareSearch(queries, k: k, filter: filter)
    guard let packed = packedQueries else {
      return CosineSearchResults(queryCount: nq, k: kk, indices: [], scores: [], rankingScores: [])
    }
    var parts: [CosineSearchResults<Scalar>] = []
    for (seg, sel) in zip(segments, selections) where sel.passCount > 0 {
      let ks = Swift.min(kk, sel.passCount)
      if quantization == .binary, let m = rescore {
        parts.append(perQuery(nq, ks) { q in binarySearch(seg, sel, packed.base + q * d, k: ks, rescore: m) })
        continue
      }
      if quantization == .int8 && nq <= Self.int8MaxQueries && seg.int8 != nil {
        // A zero or non-finite query scores every passing row exactly.
        parts.append(
          perQuery(nq, ks) { q in
            // Codes that do not bound the rows (a damaged file) can leave fewer than k: exact then.
            if let hits = int8Search(seg, sel, packed.base + q * d, k: ks)?.hits, hits.count == ks { return hits }
            return sparseSearch(seg, sel, packed.base + q * d, k: ks)
          })
        continue
      }
      if sel.mask == nil || sel.passCount * 4 >= seg.rows {
        parts.append(try denseSearch(seg, sel, queries, k: ks))
      } else {
        parts.append(perQuery(nq, ks) { q in sparseSearch(seg, sel, packed.base + q * d, k: ks) })
      }
    }
    return try CosineSearchResults.merging(parts, rowOffsets: [Int](repeating: 0, count: parts.count), k: kk)
  }

  private func perQuery<Scalar: TensorScalar>(
    _ nq: Int, _ k: Int, _ body: (Int) -> [(score: Float, id: Int)]
  ) -> CosineSearchResults<Scalar> {
    results((0..<nq).map(body), k)
  }

  private func results<Scalar: TensorScalar>(_ rows: [[(score: Float, id: Int)]], _ k: Int) -> CosineSearchResults<
    Scalar
  > {
    let flat = rows.flatMap { $0 }
    precondition(flat.count == rows.count * k, "a segment search returned fewer rows than pass")
    return CosineSearchResults(
      queryCount: rows.count, k: k, indices: flat.map(\.id), scores: flat.map { Scalar($0.score) },
      rankingScores: flat.map { Double($0.score) })
  }

  /// The exact kernels over the whole segment: with `e` rows excluded, the best k + e rows
  /// hold the best k that pass.
  private func denseSearch<Scalar: TensorScalar>(
    _ seg: IndexSegment, _ sel: RowSelection, _ queries: Tensor<Scalar>, k: Int
  ) throws -> CosineSearchResults<Scalar> {
    let excluded = seg.rows - sel.passCount
    let index = CosineIndex<Scalar>(panels: seg.panels, eps: eps)
    let r = try index.search(queries, k: Swift.min(seg.rows, k + excluded))
    var indices: [Int] = []
    var scores: [Scalar] = []
    var ranking: [Double] = []
    indices.reserveCapacity(r.queryCount * k)
    for q in 0..<r.queryCount {
      var taken = 0
      for j in q * r.k..<(q + 1) * r.k where taken < k && sel.passes(r.indices[j]) {
        indices.append(seg.id(r.indices[j]))
        scores.append(r.scores[j])
        ranking.append(r.rankingScores[j])
        taken += 1
      }
      precondition(taken == k, "the exact search returned too few passing rows")
    }
    return CosineSearchResults(queryCount: r.queryCount, k: k, indices: indices, scores: scores, rankingScores: ranking)
  }

  /// Exact scores of the passing rows of `panels` (sorted, distinct), offered to `best`.
  package func score(
    _ seg: IndexSegment, _ panels: [Int64], _ a: UnsafePointer<Float>, into best: inout BestK,
    only: (Int) -> Bool
  ) {
    guard !panels.isEmpty else { return }
    let bw = seg.width
    var out = [Float](repeating: 0, count: panels.count * bw)
    let d = dimension
    let src = SharedConstPointer(a)
    // From a mapped file the few panels are read with pread: mapping them would page in (and
    // count in the resident set) whole file extents around each one.
    let per = bw * d
    var copied: (high: [UInt16], low: [UInt16])?
    if let file = seg.file, let e = seg.entry, per > 0, panels.count * 8 < seg.panelCount {
      var h = [UInt16](repeating: 0, count: panels.count * per)
      var l = h
      var ok = true
      h.withUnsafeMutableBytes { hb in
        l.withUnsafeMutableBytes { lb in
          for (i, p) in panels.enumerated() where ok {
            let o = Int(p) * per * 2
            ok =
              file.read(
                UnsafeMutableRawBufferPointer(rebasing: hb[i * per * 2..<(i + 1) * per * 2]), at: Int(e.high) + o)
              && file.read(
                UnsafeMutableRawBufferPointer(rebasing: lb[i * per * 2..<(i + 1) * per * 2]), at: Int(e.low) + o)
          }
        }
      }
      if ok { copied = (h, l) }
    }
    let list = copied == nil ? panels : (0..<Int64(panels.count)).map { $0 }
    out.withUnsafeMutableBufferPointer { o in
      let op = SharedPointer(o.baseAddress!)
      list.withUnsafeBufferPointer { pl in
        let pp = SharedConstPointer(pl.baseAddress!)
        let run = { (hi: UnsafePointer<UInt16>, lo: UnsafePointer<UInt16>) in
          let (h, l) = (SharedConstPointer(hi), SharedConstPointer(lo))
          Parallel.forEachChunk(list.count, costPerItem: bw * Swift.max(1, d) * 2) { _, range in
            ck_score_panels(
              src.base, h.base, l.base, Int64(bw), Int64(d), pp.base + range.lowerBound, Int64(range.count),
              op.base + range.lowerBound * bw)
          }
        }
        if let copied {
          copied.high.withUnsafeBufferPointer { h in
            copied.low.withUnsafeBufferPointer { l in run(h.baseAddress!, l.baseAddress!) }
          }
        } else {
          run(seg.panels.high, seg.panels.low)
        }
      }
    }
    for (i, p) in panels.enumerated() {
      for lane in 0..<bw {
        let r = Int(p) * bw + lane
        if r < seg.rows && only(r) { best.offer(out[i * bw + lane], seg.id(r)) }
      }
    }
  }

  /// Few passing rows: score only the panels that hold them.
  package func sparseSearch(_ seg: IndexSegment, _ sel: RowSelection, _ a: UnsafePointer<Float>, k: Int)
    -> [(score: Float, id: Int)]
  {
    var panels: [Int64] = []
    let bw = seg.width
    for p in 0..<seg.panelCount {
      let r0 = p * bw
      if (r0..<Swift.min(seg.rows, r0 + bw)).contains(where: sel.passes) { panels.append(Int64(p)) }
    }
    var best = BestK(k: k)
    score(seg, panels, a, into: &best, only: sel.passes)
    return best.sorted()
  }

  /// The int8 first pass with exact rescoring (see <doc:IndexFiles>); nil for a query that is
  /// zero or not finite (the exact path handles it).
  package func int8Search(_ seg: IndexSegment, _ sel: RowSelection, _ a: UnsafePointer<Float>, k: Int)
    -> (hits: [(score: Float, id: Int)], rescoredPanels: Int)?
  {
    guard let query = Int8Query(a, dim: dimension), let (lower, upper) = int8Bounds(seg, query) else { return nil }
    let bw = seg.width
    var heap = [Float](repeating: 0, count: Swift.max(1, k))
    var panels = [Int64](repeating: 0, count: Swift.max(1, seg.panelCount))
    let n = lower.withUnsafeBufferPointer { lp in
      upper.withUnsafeBufferPointer { up in
        heap.withUnsafeMutableBufferPointer { hp in
          panels.withUnsafeMutableBufferPointer { pp in
            let (h, p) = (hp.baseAddress!, pp.baseAddress!)
            let run = { (m: UnsafePointer<UInt64>?) in
              ck_select_panels(lp.baseAddress!, up.baseAddress!, Int64(seg.rows), m, Int64(k), Int64(bw), h, p)
            }
            guard let mask = sel.mask else { return run(nil) }
            return mask.withUnsafeBufferPointer { run($0.baseAddress) }
          }
        }
      }
    }
    panels.removeSubrange(Int(n)...)
    var best = BestK(k: k)
    score(seg, panels, a, into: &best, only: sel.passes)
    return (best.sorted(), panels.count)
  }

  /// Lower and upper bounds of the exact score of every row slot of `seg` (see ``Int8Query``).
  package func int8Bounds(_ seg: IndexSegment, _ query: Int8Query) -> (lower: [Float], upper: [Float])? {
    guard let codes = seg.int8 else { return nil }
    let (d, bw, g) = (dimension, seg.width, IndexSegment.groups(dimension))
    let slots = seg.panelCount * bw
    var lower: [Float] = OutputBuffer.uninitialized(slots)
    var upper: [Float] = OutputBuffer.uninitialized(slots)
    query.codes.withUnsafeBufferPointer { qp in
      lower.withUnsafeMutableBufferPointer { lp in
        upper.withUnsafeMutableBufferPointer { up in
          let (qb, l, u) = (
            SharedConstPointer(qp.baseAddress!), SharedPointer(lp.baseAddress!), SharedPointer(up.baseAddress!)
          )
          // More ranges than threads, so that a thread that is descheduled on a busy machine
          // does not hold the others up.
          let chunks = Parallel.chunkCount(seg.panelCount, costPerItem: bw * g * 4)
          let ranges = chunks > 1 ? Swift.min(seg.panelCount, 8 * chunks) : 1
          Parallel.run(seg.panelCount, chunks: ranges) { _, range in
            ck_scan_int8(
              codes.codes, codes.invScale, codes.err, Int64(bw), Int64(d), Int64(range.lowerBound), Int64(range.count),
              qb.base, query.bias, query.invT, query.phi, query.ahat, query.gamma, l.base + range.lowerBound * bw,
              u.base + range.lowerBound * bw)
          }
        }
      }
    }
    return (lower, upper)
  }

  /// Binary codes: the best `k · rescore` passing rows by Hamming distance, rescored exactly.
  package func binarySearch(_ seg: IndexSegment, _ sel: RowSelection, _ a: UnsafePointer<Float>, k: Int, rescore: Int)
    -> [(score: Float, id: Int)]
  {
    guard let bits = seg.bits else { return sparseSearch(seg, sel, a, k: k) }
    let d = dimension
    let w = IndexSegment.words(d)
    var qb = [UInt64](repeating: 0, count: w)
    for i in 0..<d where a[i] > 0 { qb[i / 64] |= 1 << UInt64(i % 64) }
    var dist = [Int32](repeating: 0, count: seg.rows)
    qb.withUnsafeBufferPointer { qp in
      dist.withUnsafeMutableBufferPointer { dp in
        let (q, o) = (SharedConstPointer(qp.baseAddress!), SharedPointer(dp.baseAddress!))
        Parallel.forEachChunk(seg.rows, costPerItem: w * 8) { _, range in
          ck_hamming(bits, Int64(w), Int64(range.lowerBound), Int64(range.count), q.base, o.base + range.lowerBound)
        }
      }
    }
    let (c, overflow) = k.multipliedReportingOverflow(by: Swift.max(1, rescore))
    // Closest rows first: a higher "score" is a smaller distance; ties by lower row.
    var near = BestK(k: overflow ? seg.rows : Swift.min(c, seg.rows))
    for r in 0..<seg.rows where sel.passes(r) { near.offer(Float(-dist[r]), r) }
    let chosen = Set(near.items.map(\.id))
    var panels = Array(Set(chosen.map { Int64($0 / seg.width) })).sorted()
    if panels.isEmpty { panels = [] }
    var best = BestK(k: k)
    score(seg, panels, a, into: &best, only: { chosen.contains($0) })
    return best.sorted()
  }

  package static func roundUp(_ x: Double) -> Float {
    let f = Float(x)
    return Double(f) >= x ? f : f.nextUp
  }

  @inline(__always) package static func clamp(_ x: Float) -> Float { Swift.min(1, Swift.max(-1, x)) }
}

/// A query quantized for the int8 pass, with the terms of its error bound.
///
/// With a the packed query (t⁻¹ = max|a_k| / 127, q = round(a·t), â = q·t⁻¹, φ = a − â) and a
/// row b (‖b‖ ≤ 1 + D·2⁻²⁴, codes c, scale s⁻¹, b̂ = c·s⁻¹, ‖b − b̂‖ ≤ ε), the integer pass
/// gives A = â·b̂ and the exact kernel E = fl(a·b) with |E − a·b| ≤ γ_D·‖a‖·‖b‖. Since
/// a·b − â·b̂ = φ·b + â·(b − b̂): |E − A| ≤ ‖φ‖·‖b‖ + ‖â‖·ε + γ_D·‖a‖·‖b‖. Each term is
/// rounded up; the scan widens the sum by 2⁻¹² relative and 2⁻²⁰ absolute for its float
/// arithmetic.
package struct Int8Query {
  package let codes: [Int8]
  package let bias: Int32
  package let invT: Float
  package let phi: Float
  package let ahat: Float
  package let gamma: Float

  /// nil for a zero or non-finite query.
  package init?(_ a: UnsafePointer<Float>, dim d: Int) {
    var m = 0.0
    for i in 0..<d {
      guard a[i].isFinite else { return nil }
      m = Swift.max(m, Double(Swift.abs(a[i])))
    }
    let invT = Float(m / 127)
    guard invT > 0, d <= 130_000 else { return nil }
    var q = [Int8](repeating: 0, count: IndexSegment.groups(d) * 4)
    var qsum = 0
    var phi2 = 0.0
    var ahat2 = 0.0
    var a2 = 0.0
    for i in 0..<d {
      let c = Swift.max(-127, Swift.min(127, (Double(a[i]) / Double(invT)).rounded(.toNearestOrEven)))
      q[i] = Int8(c)
      qsum += Int(c)
      let ah = c * Double(invT)
      phi2 += (Double(a[i]) - ah) * (Double(a[i]) - ah)
      ahat2 += ah * ah
      a2 += Double(a[i]) * Double(a[i])
    }
    let u = 0x1p-24
    let bNorm = 1 + Double(d) * u
    let gammaD = Double(d) * u / (1 - Double(d) * u)
    let slack = 1 + 0x1p-30
    codes = q
    bias = Int32(128 * qsum)
    self.invT = invT
    phi = IndexTable.roundUp(phi2.squareRoot() * bNorm * slack)
    ahat = IndexTable.roundUp(ahat2.squareRoot() * slack)
    gamma = IndexTable.roundUp(gammaD * a2.squareRoot() * bNorm * slack)
  }
}
