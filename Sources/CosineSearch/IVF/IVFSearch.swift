import CCosineKernels
import CosineCore

/// The search of an inverted-file index: each query scores the centroids, takes its `nprobe`
/// best lists, and gets the exact top k among the rows of those lists (see <doc:IndexFiles>).
///
/// **Batches** group queries by list: each list's rows are read once per batch (per thread) and
/// scored against all the queries that probe it by the GEMM search kernel, whose heaps carry
/// each query's threshold from list to list. Heap ids are *slots*, one numbering of all stored
/// rows in list order, so every query sees its rows in increasing slot order, as the kernels
/// require; the heaps keep k + 1 entries, so that the k-th place is known to hold no tie with
/// a row outside them (otherwise that query is redone by the direct path), and the k best are
/// then ordered by (score, id). **A few queries** score the probed lists directly, on all cores.
///
/// With `nprobe = nlist` every row is probed and the results equal the exact search.
extension IndexTable {
  /// Queries up to which the direct path runs (one query at a time, lists split over threads).
  package static var ivfDirectQueries: Int { 4 }
  /// Query-list pairs per block of queries (the probe lists of a block take 8 bytes each).
  package static var ivfQueryBlock: Int { 1 << 22 }

  /// Top k among the live rows passing `filter` in each query's `nprobe` best lists (more lists
  /// when those hold fewer than k passing rows). Requires ``ivf``.
  package func ivfSearch<Scalar: TensorScalar>(
    _ queries: Tensor<Scalar>, k: Int, nprobe: Int, filter: CosineIndexFilter?
  ) throws -> CosineSearchResults<Scalar> {
    guard let ivf else { preconditionFailure("not an inverted-file index") }
    let nq = queries.shape[0]
    let d = dimension
    let (selections, kk, packedQueries) = try prepareSearch(queries, k: k, filter: filter)
    guard let packed = packedQueries else {
      return CosineSearchResults(queryCount: nq, k: kk, indices: [], scores: [], rankingScores: [])
    }
    let lists = ListDirectory(self, selections)
    let probeCount = Swift.max(1, Swift.min(nprobe, ivf.nlist))
    var hits = [[(score: Float, id: Int)]](repeating: [], count: nq)
    // Blocks of queries bound the probe lists and the per-list query lists (Q · nprobe entries).
    let block = Swift.max(1, Self.ivfQueryBlock / probeCount)
    for q0 in stride(from: 0, to: nq, by: block) {
      let q1 = Swift.min(nq, q0 + block)
      let base = packed.base + q0 * d
      let unit = Tensor(
        uncheckedShape: [q1 - q0, d], scalars: Array(UnsafeBufferPointer(start: base, count: (q1 - q0) * d)))
      let probes = try ivfProbes(unit, ivf: ivf, nprobe: probeCount, k: kk, lists: lists)
      if q1 - q0 <= Self.ivfDirectQueries {
        for q in 0..<q1 - q0 {
          hits[q0 + q] = directSearch(base + q * d, lists: probes[q], k: kk, directory: lists, selections)
        }
        continue
      }
      let (batch, redo) = batchSearch(base, queries: q1 - q0, probes: probes, k: kk, lists, selections)
      for (q, h) in batch.enumerated() { hits[q0 + q] = h }
      for q in redo {
        hits[q0 + q] = directSearch(base + q * d, lists: probes[q], k: kk, directory: lists, selections)
      }
    }
    var indices: [Int] = []
    var scores: [Scalar] = []
    var ranking: [Double] = []
    indices.reserveCapacity(nq * kk)
    scores.reserveCapacity(nq * kk)
    ranking.reserveCapacity(nq * kk)
    for h in hits {
      precondition(h.count == kk, "an inverted-file search returned fewer rows than its lists hold")
      for e in h {
        indices.append(e.id)
        scores.append(Scalar(e.score))
        ranking.append(Double(e.score))
      }
    }
    return CosineSearchResults(queryCount: nq, k: kk, indices: indices, scores: scores, rankingScores: ranking)
  }

  /// The lists each query probes, best first: its `nprobe` best, and further ones in centroid
  /// order while those hold fewer than `k` passing rows.
  private func ivfProbes(_ unit: Tensor<Float>, ivf: CoarseQuantizer, nprobe: Int, k: Int, lists: ListDirectory)
    throws -> [[Int]]
  {
    let nq = unit.shape[0]
    let d = unit.shape[1]
    // Every list probed: no centroid scores needed (the lists' order does not change results).
    if nprobe == ivf.nlist { return [[Int]](repeating: Array(0..<nprobe), count: nq) }
    // A few queries are scored against the centroids directly (the same lists).
    let flat =
      nq <= Self.ivfDirectQueries
      ? try unit.scalars.withUnsafeBufferPointer { u in
        try (0..<nq).flatMap { try ivf.probes(one: u.baseAddress! + $0 * d, count: nprobe) }
      } : try ivf.probes(unit, count: nprobe)
    var out = [[Int]](repeating: [], count: nq)
    for q in 0..<nq {
      let mine = Array(flat[q * nprobe..<(q + 1) * nprobe])
      if mine.reduce(0, { $0 + lists.passing[$1] }) >= k {
        out[q] = mine
        continue
      }
      // Too few passing rows in the probed lists: take lists in centroid order until k.
      let all = try ivf.probes(unit[q].reshaped([1, unit.shape[1]]), count: ivf.nlist)
      var total = 0
      var taken: [Int] = []
      for l in all where total < k {
        taken.append(l)
        total += lists.passing[l]
      }
      out[q] = taken
    }
    return out
  }

  /// Exact top k of one packed query over the passing rows of `probe` lists (any order), by
  /// (score, id): with int8 codes, the first pass over all probed lists and exact rescoring of
  /// the panels its bound cannot exclude; otherwise every probed panel scored, on all cores.
  package func directSearch(
    _ a: UnsafePointer<Float>, lists probe: [Int], k: Int, directory: ListDirectory, _ selections: [RowSelection]
  ) -> [(score: Float, id: Int)] {
    let segs = probe.flatMap { directory.segments(of: $0) }.filter { selections[$0].passCount > 0 }
    guard !segs.isEmpty else { return [] }
    // Codes that do not bound the rows (a damaged file) can leave fewer than k: every row then.
    if quantization == .int8, let hits = int8DirectSearch(a, segs, k: k, selections), hits.count == k { return hits }
    var best = BestK(k: k)
    var offsets = [0]
    for s in segs { offsets.append(offsets.last! + segments[s].panelCount * width) }
    var out = [Float](repeating: 0, count: offsets.last!)
    let most = segs.map { segments[$0].panelCount }.max()!
    let iota = (0..<Int64(most)).map { $0 }
    let (bw, d) = (width, dimension)
    let table = self
    out.withUnsafeMutableBufferPointer { o in
      iota.withUnsafeBufferPointer { ip in
        let (op, pp, src) = (SharedPointer(o.baseAddress!), SharedConstPointer(ip.baseAddress!), SharedConstPointer(a))
        let perSegment = Swift.max(1, offsets.last! / segs.count) * Swift.max(1, d) * 2
        Parallel.forEachChunk(segs.count, costPerItem: perSegment) { _, range in
          for i in range {
            let seg = table.segments[segs[i]]
            ck_score_panels(
              src.base, seg.panels.high, seg.panels.low, Int64(bw), Int64(d), pp.base, Int64(seg.panelCount),
              op.base + offsets[i])
          }
        }
      }
    }
    for (i, s) in segs.enumerated() {
      let seg = segments[s]
      let sel = selections[s]
      for r in 0..<seg.rows where sel.passes(r) { best.offer(out[offsets[i] + r], seg.id(r)) }
    }
    return best.sorted()
  }

  /// The int8 first pass over the probed segments `segs` as one corpus: bounds of every row slot,
  /// the panels whose upper bound reaches the k-th lower bound of the passing rows, rescored
  /// exactly. nil for a zero or non-finite query (scored exactly instead).
  private func int8DirectSearch(
    _ a: UnsafePointer<Float>, _ segs: [Int], k: Int, _ selections: [RowSelection]
  ) -> [(score: Float, id: Int)]? {
    guard let query = Int8Query(a, dim: dimension) else { return nil }
    let bw = width
    var offsets = [0]
    for s in segs { offsets.append(offsets.last! + segments[s].panelCount * bw) }
    let slots = offsets.last!
    var lower = [Float](repeating: 0, count: slots)
    var upper = [Float](repeating: 0, count: slots)
    var mask = [UInt64](repeating: 0, count: (slots + 63) / 64)
    let (d, g) = (dimension, IndexSegment.groups(dimension))
    let table = self
    query.codes.withUnsafeBufferPointer { qp in
      lower.withUnsafeMutableBufferPointer { lp in
        upper.withUnsafeMutableBufferPointer { up in
          let (qb, l, u) = (
            SharedConstPointer(qp.baseAddress!), SharedPointer(lp.baseAddress!), SharedPointer(up.baseAddress!)
          )
          let perSegment = Swift.max(1, slots / segs.count) * g * 4
          Parallel.forEachChunk(segs.count, costPerItem: perSegment) { _, range in
            for i in range {
              let seg = table.segments[segs[i]]
              guard let codes = seg.int8 else { continue }
              // The next list's codes are fetched while this one is scanned.
              if i + 1 < range.upperBound, let next = table.segments[segs[i + 1]].int8 {
                ck_prefetch(next.codes, Int64(table.segments[segs[i + 1]].panelCount * bw * g * 4))
              }
              ck_scan_int8(
                codes.codes, codes.invScale, codes.err, Int64(bw), Int64(d), 0, Int64(seg.panelCount), qb.base,
                query.bias, query.invT, query.phi, query.ahat, query.gamma, l.base + offsets[i], u.base + offsets[i])
            }
          }
        }
      }
    }
    for (i, s) in segs.enumerated() {
      guard segments[s].int8 != nil else { return nil }
      let sel = selections[s]
      if sel.mask == nil {
        // Every row passes: whole words where they fit.
        var b = offsets[i]
        let end = b + segments[s].rows
        while b < end {
          if b & 63 == 0 && end - b >= 64 {
            mask[b >> 6] = ~0
            b += 64
          } else {
            mask[b >> 6] |= 1 << UInt64(b & 63)
            b += 1
          }
        }
        continue
      }
      for r in 0..<segments[s].rows where sel.passes(r) {
        let b = offsets[i] + r
        mask[b >> 6] |= 1 << UInt64(b & 63)
      }
    }
    var heap = [Float](repeating: 0, count: Swift.max(1, k))
    var chosen = [Int64](repeating: 0, count: Swift.max(1, slots / bw))
    let n = lower.withUnsafeBufferPointer { lp in
      upper.withUnsafeBufferPointer { up in
        mask.withUnsafeBufferPointer { mp in
          heap.withUnsafeMutableBufferPointer { hp in
            chosen.withUnsafeMutableBufferPointer { cp in
              ck_select_panels(
                lp.baseAddress!, up.baseAddress!, Int64(slots), mp.baseAddress!, Int64(k), Int64(bw), hp.baseAddress!,
                cp.baseAddress!)
            }
          }
        }
      }
    }
    // Rescore the chosen panels of each segment exactly.
    var best = BestK(k: k)
    var i = 0
    var j = 0
    while j < Int(n) {
      while offsets[i + 1] <= Int(chosen[j]) * bw { i += 1 }
      var local: [Int64] = []
      while j < Int(n), Int(chosen[j]) * bw < offsets[i + 1] {
        local.append(chosen[j] - Int64(offsets[i] / bw))
        j += 1
      }
      let sel = selections[segs[i]]
      score(segments[segs[i]], local, a, into: &best, only: sel.passes)
    }
    return best.sorted()
  }

  /// The grouped search of many queries (see the extension's documentation). Returns the hits
  /// and the queries to redo directly (a tie at the k-th place).
  private func batchSearch(
    _ packed: UnsafePointer<Float>, queries nq: Int, probes: [[Int]], k: Int, _ lists: ListDirectory,
    _ selections: [RowSelection]
  ) -> (hits: [[(score: Float, id: Int)]], redo: [Int]) {
    let d = dimension
    let bw = width
    let k1 = k + 1
    let aw = Float.preferredQueryWidth(panelWidth: bw)
    let result = LockedValue<(hits: [[(score: Float, id: Int)]], redo: [Int])>(
      (hits: [[(score: Float, id: Int)]](repeating: [], count: nq), redo: []))
    let avgProbes = probes.reduce(0) { $0 + $1.count } / Swift.max(1, nq)
    let perQuery = Swift.max(1, avgProbes * (storedRows / Swift.max(1, lists.listCount)) * Swift.max(1, d))
    // Chunks of queries; each reads the lists its queries probe once.
    let chunks = Swift.min(Parallel.chunkCount(nq, costPerItem: perQuery), Swift.max(1, nq / 64))
    let table = self
    let src = SharedConstPointer(packed)
    Parallel.run(nq, chunks: chunks) { _, range in
      let part = table.batchChunk(
        src.base, range: range, probes: probes, k1: k1, aw: aw, lists: lists, selections: selections)
      result.withLock { r in
        for (i, h) in part.hits.enumerated() { r.hits[range.lowerBound + i] = h }
        r.redo += part.redo
      }
    }
    let (hits, redo) = result.withLock { $0 }
    return (hits, redo.sorted())
  }

  /// One chunk of queries of ``batchSearch``.
  private func batchChunk(
    _ packed: UnsafePointer<Float>, range: Range<Int>, probes: [[Int]], k1: Int, aw: Int, lists: ListDirectory,
    selections: [RowSelection]
  ) -> (hits: [[(score: Float, id: Int)]], redo: [Int]) {
    let d = dimension
    let bw = width
    let m = range.count
    // The chunk's queries of each list, in query order (a counting sort).
    let nlist = lists.listCount
    var start = [Int](repeating: 0, count: nlist + 1)
    for q in range { for l in probes[q] { start[l + 1] += 1 } }
    for l in 0..<nlist { start[l + 1] += start[l] }
    var fill = start
    var members = [Int32](repeating: 0, count: start[nlist])
    for q in range {
      for l in probes[q] {
        members[fill[l]] = Int32(q - range.lowerBound)
        fill[l] += 1
      }
    }
    let most = (0..<nlist).map { start[$0 + 1] - start[$0] }.max() ?? 0
    let heaps = TopKHeaps<Float>(queries: m, k: k1)
    let local = TopKHeaps<Float>(queries: Swift.max(1, most), k: k1)
    defer {
      heaps.deallocate()
      local.deallocate()
    }
    let tiles = (most + aw - 1) / aw
    let a = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, tiles * aw * d))
    defer { a.deallocate() }
    let cap = heaps.capacity
    // Scratch for a block of a segment's plain panels, 512 KiB.
    let plainCapacity = Swift.max(1, (1 << 19) / Swift.max(1, bw * d * 4))
    let plain = UnsafeMutablePointer<Float>.allocate(capacity: plainCapacity * bw * Swift.max(1, d))
    defer { plain.deallocate() }
    for l in 0..<nlist where start[l + 1] > start[l] {
      let segs = lists.segments(of: l).filter { selections[$0].passCount > 0 }
      if segs.isEmpty { continue }
      let sub = members[start[l]..<start[l + 1]]
      let n = sub.count
      // Gather the queries into panels of width aw (padding lanes zero) and their heaps.
      members.withUnsafeBufferPointer { mp in
        ck_gather_panels_f32(
          packed + range.lowerBound * d, Int64(d), mp.baseAddress! + start[l], Int64(n), Int64(aw), a)
      }
      for (i, q) in sub.enumerated() {
        (local.scores + i * cap).update(from: heaps.scores + Int(q) * cap, count: cap)
        (local.ids + i * cap).update(from: heaps.ids + Int(q) * cap, count: cap)
        local.sizes[i] = heaps.sizes[Int(q)]
      }
      let h = ck_heaps_f32(
        scores: local.scores, ids: local.ids, sizes: local.sizes, k: Int64(k1), capacity: Int64(cap))
      for s in segs {
        let seg = segments[s]
        let sel = selections[s]
        if sel.mask == nil {
          // Many queries: the list's floats rebuilt once, a block of panels at a time (it stays
          // in L2), for every query tile.
          if n >= 2 * aw {
            var p0 = 0
            while p0 < seg.panelCount {
              let count = Swift.min(plainCapacity, seg.panelCount - p0)
              let o = seg.panels.offset(ofPanel: p0)
              ck_join_panels_f32(seg.panels.high + o, seg.panels.low + o, Int64(count), Int64(d), Int64(bw), plain)
              let status = ck_search_f32(
                a, Int64(n), Int64(aw), plain, Int64(bw), 0, Int64(count * bw),
                Int64(Swift.min(count * bw, seg.rows - p0 * bw)), Int64(d), Int64(lists.slotBase[s] + p0 * bw), h)
              checkKernelStatus(status, "ck_search_f32")
              p0 += count
            }
            continue
          }
          let status = ck_search_split_ids_f32(
            a, Int64(n), Int64(aw), seg.panels.high, seg.panels.low, Int64(bw), 0, Int64(seg.panelCount * bw),
            Int64(seg.rows), Int64(d), Int64(lists.slotBase[s]), h)
          checkKernelStatus(status, "ck_search_split_ids_f32")
          continue
        }
        // Rows excluded by the filter or removed: the segment's best k1 + excluded rows hold its
        // best k1 passing ones; they join the heaps by the full order.
        let k2 = Swift.min(seg.rows, k1 + seg.rows - sel.passCount)
        let scratch = TopKHeaps<Float>(queries: n, k: k2)
        defer { scratch.deallocate() }
        let status = ck_search_split_ids_f32(
          a, Int64(n), Int64(aw), seg.panels.high, seg.panels.low, Int64(bw), 0, Int64(seg.panelCount * bw),
          Int64(seg.rows), Int64(d), 0,
          ck_heaps_f32(
            scores: scratch.scores, ids: scratch.ids, sizes: scratch.sizes, k: Int64(k2),
            capacity: Int64(scratch.capacity)))
        checkKernelStatus(status, "ck_search_split_ids_f32")
        for i in 0..<n {
          for j in 0..<Int(scratch.sizes[i]) {
            let e = i * scratch.capacity + j
            let r = Int(scratch.ids[e])
            if sel.passes(r) { ck_heaps_offer_f32(h, Int64(i), scratch.scores[e], Int64(lists.slotBase[s] + r)) }
          }
        }
      }
      for (i, q) in sub.enumerated() {
        (heaps.scores + Int(q) * cap).update(from: local.scores + i * cap, count: cap)
        (heaps.ids + Int(q) * cap).update(from: local.ids + i * cap, count: cap)
        heaps.sizes[Int(q)] = local.sizes[i]
      }
    }
    ck_sort_heaps_f32(
      ck_heaps_f32(scores: heaps.scores, ids: heaps.ids, sizes: heaps.sizes, k: Int64(k1), capacity: Int64(cap)),
      Int64(m))
    var hits = [[(score: Float, id: Int)]](repeating: [], count: m)
    var redo: [Int] = []
    let k = k1 - 1
    for i in 0..<m {
      let size = Int(heaps.sizes[i])
      let s = heaps.scores + i * cap
      // A tie across the k-th place: a row with the k-th score may be missing (it lost to a lower
      // slot, not to a lower id).
      if size < k || (size > k && (s[k - 1] == s[k] || (s[k - 1].isNaN && s[k].isNaN))) {
        redo.append(range.lowerBound + i)
        continue
      }
      var top: [(score: Float, id: Int)] = (0..<k).map { j in
        let slot = Int(heaps.ids[i * cap + j])
        let sidx = lists.segment(ofSlot: slot)
        return (s[j], segments[sidx].id(slot - lists.slotBase[sidx]))
      }
      top.sort { SearchOrder.ranksBefore(Double($0.score), $0.id, Double($1.score), $1.id) }
      hits[i] = top
    }
    return (hits, redo)
  }
}

/// The segments of each list and the slot numbering of an inverted-file table's rows, in flat
/// arrays (built for every search: no per-list allocation).
package struct ListDirectory: Sendable {
  /// The number of lists.
  package let listCount: Int
  /// Passing rows per list.
  package let passing: [Int]
  /// The first slot of each segment: slots number the stored rows list by list.
  package let slotBase: [Int]
  /// Segments in list order (within a list, in table order), and where each list's run starts.
  private let order: [Int]
  private let listStart: [Int]
  /// The first slot of each segment of ``order`` (ascending), for the inverse map.
  private let bases: [Int]

  package init(_ table: IndexTable, _ selections: [RowSelection]) {
    guard let ivf = table.ivf else { preconditionFailure("not an inverted-file index") }
    let nlist = ivf.nlist
    let lists = table.segmentLists
    var start = [Int](repeating: 0, count: nlist + 1)
    var passing = [Int](repeating: 0, count: nlist)
    for (s, l) in lists.enumerated() {
      start[l + 1] += 1
      passing[l] += selections[s].passCount
    }
    for l in 0..<nlist { start[l + 1] += start[l] }
    var fill = start
    var order = [Int](repeating: 0, count: lists.count)
    for (s, l) in lists.enumerated() {
      order[fill[l]] = s
      fill[l] += 1
    }
    var base = [Int](repeating: 0, count: table.segments.count)
    var bases = [Int](repeating: 0, count: order.count)
    var next = 0
    for (i, s) in order.enumerated() {
      base[s] = next
      bases[i] = next
      next += table.segments[s].panelCount * table.width
    }
    listCount = nlist
    self.passing = passing
    slotBase = base
    self.order = order
    listStart = start
    self.bases = bases
  }

  /// The segments of list `l`, in table order.
  package func segments(of l: Int) -> ArraySlice<Int> { order[listStart[l]..<listStart[l + 1]] }

  /// The segment holding `slot`.
  package func segment(ofSlot slot: Int) -> Int {
    var lo = 0
    var hi = bases.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if bases[mid] <= slot { lo = mid } else { hi = mid - 1 }
    }
    return order[lo]
  }
}
