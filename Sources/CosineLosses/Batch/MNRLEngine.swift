import CosineCore
import RealModule

/// The streamed evaluation of ``MultipleNegativesRankingLoss``: the forward pass keeps per-row
/// log-sum-exps, the pullback recomputes the score tiles and accumulates gradients with GEMMs.
package final class MNRLEngine<T: TensorScalar, E: LossKernelScalar>: @unchecked Sendable where E.Working == E {
  /// Which rows score against which, and what is excluded or penalized.
  package enum Kind { case queryToDoc, queryToQuery, docToQuery, docToDoc }
  package struct Pass {
    package let kind: Kind
    /// The anchors (true) or the positives (false) are the tile's rows.
    package var anchorRows: Bool { kind == .queryToDoc || kind == .queryToQuery }
    /// The documents (true) or the anchors (false) are the tile's columns.
    package var docColumns: Bool { kind == .queryToDoc || kind == .docToDoc }
  }

  package let loss: MultipleNegativesRankingLoss
  package let b: Int, d: Int, blocks: Int
  package let anchorsRaw: [T], docsRaw: [T]
  package let positivesShape: [Int], negativesShape: [Int]?
  package let a: NormalizedRows<E>, docs: NormalizedRows<E>
  package let passes: [Pass]
  package let aw: Int, bw: Int, tq: Int, tc: Int
  package let anchorQueries: PackedPanels<E>, positiveQueries: PackedPanels<E>?
  package let docColumns: PackedPanels<E>, anchorColumns: PackedPanels<E>?
  /// Per pass and row: the log-sum-exp of that direction's logits.
  package private(set) var lse: [Double] = []
  /// Per row: the joint log-sum-exp (joint mode) or the mean of the directions' (per direction).
  package private(set) var logZ: [Double] = []
  /// Per row: the positive cosine (the same bits as the tile's).
  package private(set) var positive: [Double] = []
  package private(set) var value: Tensor<T> = Tensor(scalar: 0)
  /// The gradients with respect to the normalized anchors and documents, and the scale's, for
  /// an upstream gradient of 1, when the forward pass computed them (see ``fusedEligible``).
  private var fused: (accA: [E], accD: [E], scale: Double)?

  package var ndocs: Int { b * (1 + blocks) }
  package var joint: Bool { loss.partitionMode == .joint }
  package var alpha: Double { loss.hardnessMode == nil ? 0 : loss.hardnessStrength }

  package init(
    _ loss: MultipleNegativesRankingLoss, _ anchors: Tensor<T>, _ positives: Tensor<T>, _ negatives: Tensor<T>?,
    blocks: Int, gradients: Bool = false
  ) throws {
    self.loss = loss
    b = anchors.shape[0]
    d = anchors.shape[1]
    self.blocks = blocks
    anchorsRaw = anchors.scalars
    if let negatives, blocks > 0 {
      var all = positives.scalars
      all.reserveCapacity(positives.count + negatives.count)
      all += negatives.scalars
      docsRaw = all
    } else {
      docsRaw = positives.scalars
    }
    positivesShape = positives.shape
    negativesShape = negatives?.shape
    let (bb, dd, nd) = (b, d, b * (1 + blocks))
    a = anchorsRaw.withUnsafeBufferPointer { NormalizedRows($0, rows: bb, dim: dd, eps: 1e-12) }
    docs = docsRaw.withUnsafeBufferPointer { NormalizedRows($0, rows: nd, dim: dd, eps: 1e-12) }
    passes = loss.directions.map {
      switch $0 {
      case .queryToDoc: Pass(kind: .queryToDoc)
      case .queryToQuery: Pass(kind: .queryToQuery)
      case .docToQuery: Pass(kind: .docToQuery)
      case .docToDoc: Pass(kind: .docToDoc)
      }
    }
    bw = E.preferredPanelWidth
    aw = E.preferredQueryWidth(panelWidth: bw)
    // Tiles: whole register blocks and panels, no larger than the data.
    let maxRows = (b + aw - 1) / aw * aw
    let maxCols = (Swift.max(nd, b) + bw - 1) / bw * bw
    tq = Swift.max(aw, Swift.min(maxRows, loss.tileRows / aw * aw))
    tc = Swift.max(bw, Swift.min(maxCols, loss.tileColumns / bw * bw))
    let needPositiveRows = passes.contains { !$0.anchorRows }
    let needAnchorColumns = passes.contains { !$0.docColumns }
    anchorQueries = try Self.pack(a.values, rows: b, dim: d, width: aw)
    positiveQueries = needPositiveRows ? try Self.pack(docs.values, rows: b, dim: d, width: aw) : nil
    docColumns = try Self.pack(docs.values, rows: nd, dim: d, width: bw)
    anchorColumns = needAnchorColumns ? try Self.pack(a.values, rows: b, dim: d, width: bw) : nil
    if gradients && fusedEligible { forwardWithGradients() } else { forward() }
  }

  package static func pack(_ values: [E], rows: Int, dim: Int, width: Int) throws -> PackedPanels<E> {
    let p = try PackedPanels<E>(rows: rows, dim: dim, width: width)
    if rows > 0, dim > 0 {
      values.withUnsafeBufferPointer { E.packRows($0.baseAddress!, rows: rows, dim: dim, width: width, into: p.base) }
    }
    return p
  }

  // MARK: Tiles

  package func columnCount(_ pass: Pass) -> Int { pass.docColumns ? ndocs : b }

  /// Scores rows [i0, i0 + rows) against columns [j0, j0 + cols) into `s` (row stride tc).
  package func score(_ pass: Pass, _ i0: Int, _ rows: Int, _ j0: Int, _ cols: Int, into s: UnsafeMutablePointer<E>) {
    let q = pass.anchorRows ? anchorQueries : positiveQueries!
    let c = pass.docColumns ? docColumns : anchorColumns!
    E.gemm(
      q.panel(i0 / aw), rows: rows, width: aw, c.panel(j0 / bw), width: bw, rows: cols, dim: d, into: s, rowStride: tc)
  }

  /// The logit of row i, column j from its cosine, or nil when the entry is excluded.
  @inline(__always)
  package func logit(_ kind: Kind, _ i: Int, _ j: Int, _ s: Double) -> Double? {
    switch kind {
    case .queryToDoc:
      let l = loss.scale * s
      guard alpha > 0, let mode = loss.hardnessMode else { return l }
      let own = j % b == i
      let penalized: Bool
      switch mode {
      case .inBatchNegatives: penalized = !own
      case .hardNegatives: penalized = own && j >= b
      case .allNegatives: penalized = j != i
      }
      return penalized ? l + alpha * s : l
    case .queryToQuery: return j == i ? nil : loss.scale * s
    case .docToQuery: return loss.scale * s
    case .docToDoc: return j % b == i ? nil : loss.scale * s
    }
  }

  /// Whether every entry of a row is a plain `scale·cos` (the fast path).
  package func plain(_ kind: Kind) -> Bool { kind == .docToQuery || (kind == .queryToDoc && alpha == 0) }

  // MARK: Forward

  /// Whether whole tiles of rows go to the threads (one split for the whole pass, no
  /// synchronization per tile) rather than the columns of each tile.
  package var rowParallel: Bool {
    let tiles = (b + tq - 1) / tq
    return loss.rowParallel && tiles >= 2 * CosineKitThreads.effectiveCount
  }

  /// The forward pass with whole tiles of rows per thread: each row's log-sum-exps are its
  /// thread's alone.
  private func forwardByRows() {
    let nd = passes.count
    let tiles = (b + tq - 1) / tq
    lse = [Double](repeating: -.infinity, count: nd * b)
    lse.withUnsafeMutableBufferPointer { lbuf in
      let out = SharedPointer(lbuf.baseAddress!)
      Parallel.run(tiles, chunks: CosineKitThreads.effectiveCount) { _, range in
        let tile = UnsafeMutablePointer<E>.allocate(capacity: tq * tc)
        let state = UnsafeMutablePointer<Double>.allocate(capacity: 2 * tq)
        defer {
          tile.deallocate()
          state.deallocate()
        }
        let m = state
        let s = state + tq
        for t in range {
          let i0 = t * tq
          let rows = Swift.min(tq, b - i0)
          for (pi, pass) in passes.enumerated() {
            for r in 0..<rows { (m[r], s[r]) = (-.infinity, 0) }
            let ncols = columnCount(pass)
            for j0 in stride(from: 0, to: ncols, by: tc) {
              let cols = Swift.min(tc, ncols - j0)
              score(pass, i0, rows, j0, cols, into: tile)
              if plain(pass.kind) {
                E.lseRows(tile, lds: tc, rows: rows, cols: cols, scale: loss.scale, max: m, sum: s)
                continue
              }
              for r in 0..<rows {
                let (cm, cs) = rowStats(pass.kind, i0 + r, tile + r * tc, j0, cols)
                (m[r], s[r]) = Self.merge(m[r], s[r], cm, cs)
              }
            }
            for r in 0..<rows { out.base[pi * b + i0 + r] = s[r] == 0 ? -.infinity : m[r] + .log(s[r]) }
          }
        }
      }
    }
  }

  private func forward() {
    let nd = passes.count
    lse = [Double](repeating: -.infinity, count: nd * b)
    if rowParallel { forwardByRows() }
    for i0 in stride(from: 0, to: rowParallel ? 0 : b, by: tq) {
      let rows = Swift.min(tq, b - i0)
      for (pi, pass) in passes.enumerated() {
        let ncols = columnCount(pass)
        let chunks = (ncols + tc - 1) / tc
        let parts = Parallel.chunkCount(chunks, costPerItem: rows * tc * Swift.max(1, d))
        var partial = [Double](repeating: 0, count: parts * rows * 2)
        partial.withUnsafeMutableBufferPointer { pbuf in
          let out = SharedPointer(pbuf.baseAddress!)
          Parallel.run(chunks, chunks: parts) { t, range in
            let m = out.base + t * rows * 2
            let s = m + rows
            for r in 0..<rows { (m[r], s[r]) = (-.infinity, 0) }
            let tile = UnsafeMutablePointer<E>.allocate(capacity: tq * tc)
            defer { tile.deallocate() }
            for c in range {
              let j0 = c * tc
              let cols = Swift.min(tc, ncols - j0)
              score(pass, i0, rows, j0, cols, into: tile)
              if plain(pass.kind) {
                E.lseRows(tile, lds: tc, rows: rows, cols: cols, scale: loss.scale, max: m, sum: s)
                continue
              }
              for r in 0..<rows {
                let (cm, cs) = rowStats(pass.kind, i0 + r, tile + r * tc, j0, cols)
                (m[r], s[r]) = Self.merge(m[r], s[r], cm, cs)
              }
            }
          }
        }
        for r in 0..<rows {
          var (m, s) = (-Double.infinity, 0.0)
          for t in 0..<parts { (m, s) = Self.merge(m, s, partial[t * rows * 2 + r], partial[t * rows * 2 + rows + r]) }
          lse[pi * b + i0 + r] = s == 0 ? -.infinity : m + .log(s)
        }
      }
    }
    finishForward()
  }

  /// The positives, the per-row log-partition and the value, from `lse`.
  private func finishForward() {
    let nd = passes.count
    positive = (0..<b).map { positiveCosine($0) }
    logZ = (0..<b).map { i in
      if joint {
        var m = -Double.infinity
        for p in 0..<nd where !(lse[p * b + i] <= m) { m = lse[p * b + i] }
        if m == -.infinity { return m }
        var s = 0.0
        for p in 0..<nd { s += .exp(lse[p * b + i] - m) }
        return m + .log(s)
      }
      var s = 0.0
      for p in 0..<nd { s += lse[p * b + i] }
      return s / Double(nd)
    }
    let per = (0..<b).map { logZ[$0] - loss.scale * positive[$0] }
    value = BatchInputs.reduce(per, loss.reduction)
  }

  /// Row stride of a fused strip: every document column, rounded up to whole vectors.
  package var stripStride: Int { (ndocs + 15) / 16 * 16 }

  /// Whether the forward pass can also compute the gradients (for a scalar upstream gradient,
  /// which they are linear in): one `query_to_doc` direction without a hardness penalty, whole
  /// tiles of rows per thread, and each thread's strip of scores (its tile's rows × every
  /// document) and private document gradient within ``MultipleNegativesRankingLoss/privateAccumulatorLimit``.
  package var fusedEligible: Bool {
    let threads = CosineKitThreads.effectiveCount
    let bytes = threads * (ndocs * d + tq * stripStride) * MemoryLayout<E>.stride
    return passes.count == 1 && plain(passes[0].kind) && passes[0].kind == .queryToDoc && loss.reduction != .none
      && rowParallel && b > 0 && d > 0 && bytes <= loss.privateAccumulatorLimit
  }

  /// The forward pass fused with the backward pass for an upstream gradient of 1: each thread
  /// takes whole tiles of rows, scores them against every document into a strip (one GEMM),
  /// takes the rows' log-sum-exps, turns the strip into the logits' gradient in place and
  /// multiplies it into the anchors' gradient (its rows, owned by the thread) and its private
  /// documents' gradient (summed at the end). Three GEMMs instead of four, and no recomputation.
  private func forwardWithGradients() {
    let threads = CosineKitThreads.effectiveCount
    // Each thread takes one contiguous range of rows (whole register blocks), in tiles of tq.
    let share = ((b + threads - 1) / threads + aw - 1) / aw * aw
    let lds = stripStride
    let unit = loss.reduction == .sum ? 1.0 : 1.0 / Double(b)
    let u = [Double](repeating: unit, count: b)
    let coefAll = [Double](repeating: unit, count: tq)
    let fAll = coefAll.map { $0 * loss.scale }
    lse = [Double](repeating: -.infinity, count: b)
    var accA = [E](repeating: 0, count: b * d)
    var priv = [E](repeating: 0, count: threads * ndocs * d)
    var sg = [Double](repeating: 0, count: threads)
    let sizeD = ndocs * d
    lse.withUnsafeMutableBufferPointer { lbuf in
      accA.withUnsafeMutableBufferPointer { abuf in
        priv.withUnsafeMutableBufferPointer { pbuf in
          sg.withUnsafeMutableBufferPointer { sbuf in
            a.values.withUnsafeBufferPointer { av in
              docs.values.withUnsafeBufferPointer { dv in
                let out = SharedPointer(lbuf.baseAddress!)
                let gA = SharedPointer(abuf.baseAddress!)
                let gD = SharedPointer(pbuf.baseAddress!)
                let sgs = SharedPointer(sbuf.baseAddress!)
                let aval = SharedConstPointer(av.baseAddress!)
                let dval = SharedConstPointer(dv.baseAddress!)
                Parallel.run(threads, chunks: threads) { t, _ in
                  let strip = UnsafeMutablePointer<E>.allocate(capacity: tq * lds)
                  let state = UnsafeMutablePointer<Double>.allocate(capacity: 2 * tq)
                  defer {
                    strip.deallocate()
                    state.deallocate()
                  }
                  let m = state
                  let s = state + tq
                  let myD = gD.base + t * sizeD
                  var sgLocal = 0.0
                  for i0 in stride(from: t * share, to: Swift.min(b, (t + 1) * share), by: tq) {
                    let rows = Swift.min(tq, b - i0, (t + 1) * share - i0)
                    E.gemm(
                      anchorQueries.panel(i0 / aw), rows: rows, width: aw, docColumns.panel(0), width: bw, rows: ndocs,
                      dim: d, into: strip, rowStride: lds)
                    for r in 0..<rows { (m[r], s[r]) = (-.infinity, 0) }
                    E.lseRows(strip, lds: lds, rows: rows, cols: ndocs, scale: loss.scale, max: m, sum: s)
                    var ref = [Double](repeating: 0, count: rows)
                    for r in 0..<rows {
                      ref[r] = s[r] == 0 ? -.infinity : m[r] + .log(s[r])
                      out.base[i0 + r] = ref[r]
                    }
                    sgLocal += plainProbabilities(
                      .queryToDoc, i0, rows, strip, 0, ndocs, ref: ref, f: Array(fAll[0..<rows]),
                      weight: Array(coefAll[0..<rows]), upstream: u, lds: lds)
                    E.gemmAccumulate(
                      m: rows, n: d, k: ndocs, strip, aRowStride: lds, aColumnStride: 1, dval.base, ldb: d,
                      gA.base + i0 * d, ldc: d)
                    E.gemmAccumulate(
                      m: ndocs, n: d, k: rows, strip, aRowStride: 1, aColumnStride: lds, aval.base + i0 * d, ldb: d,
                      myD, ldc: d)
                  }
                  sgs.base[t] = sgLocal
                }
              }
            }
          }
        }
      }
    }
    // Sum the threads' document gradients, split over the elements.
    var accD = [E](repeating: 0, count: sizeD)
    accD.withUnsafeMutableBufferPointer { dbuf in
      priv.withUnsafeBufferPointer { pbuf in
        let dst = SharedPointer(dbuf.baseAddress!)
        let src = SharedConstPointer(pbuf.baseAddress!)
        Parallel.run(sizeD, chunks: threads) { _, range in
          for k in range {
            var v = src.base[k]
            for t in 1..<Swift.max(1, threads) { v += src.base[t * sizeD + k] }
            dst.base[k] = v
          }
        }
      }
    }
    fused = (accA, accD, sg.reduce(0, +))
    finishForward()
  }

  /// The positive cosine of row i: the same chain of fused multiply-adds as the GEMM, clamped.
  package func positiveCosine(_ i: Int) -> Double {
    var acc: E = 0
    for k in 0..<d { acc = acc.addingProduct(a.values[i * d + k], docs.values[i * d + k]) }
    if acc > 1 { acc = 1 } else if acc < -1 { acc = -1 }
    return Double(acc)
  }

  /// Max and Σ exp(logit − max) of one tile row (excluded entries left out).
  @inline(__always)
  package func rowStats(_ kind: Kind, _ i: Int, _ row: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int) -> (
    Double, Double
  ) {
    var m = -Double.infinity
    var s = 0.0
    if plain(kind) {
      let sc = loss.scale
      for c in 0..<cols {
        let l = sc * Double(row[c])
        if !(l <= m) { m = l }
      }
      if m == -.infinity || m.isNaN { return (m, m.isNaN ? m : 0) }
      for c in 0..<cols { s += .exp(sc * Double(row[c]) - m) }
      return (m, s)
    }
    for c in 0..<cols {
      if let l = logit(kind, i, j0 + c, Double(row[c])), !(l <= m) { m = l }
    }
    if m == -.infinity || m.isNaN { return (m, m.isNaN ? m : 0) }
    for c in 0..<cols {
      if let l = logit(kind, i, j0 + c, Double(row[c])) { s += .exp(l - m) }
    }
    return (m, s)
  }

  /// Merges two (max, Σ exp(x − max)) pairs.
  @inline(__always)
  package static func merge(_ m1: Double, _ s1: Double, _ m2: Double, _ s2: Double) -> (Double, Double) {
    if m1.isNaN || m2.isNaN || s1.isNaN || s2.isNaN { return (.nan, .nan) }
    if s2 == 0 { return (m1, s1) }
    if s1 == 0 { return (m2, s2) }
    if m2 > m1 { return (m2, s1 * .exp(m1 - m2) + s2) }
    return (m1, s1 + s2 * .exp(m2 - m1))
  }

  // MARK: Backward

  /// The gradients for upstream `g` (the value's shape).
  package func gradients(_ g: Tensor<T>) throws -> BatchLossGradients<T> {
    let u = try BatchInputs.upstream(g, reduction: loss.reduction, count: b)
    let nd = passes.count
    let w = joint ? 1.0 : 1.0 / Double(nd)
    var accA = [E](repeating: 0, count: b * d)
    var accD = [E](repeating: 0, count: ndocs * d)
    var scaleGrad = 0.0
    let threads = CosineKitThreads.effectiveCount
    let privateBytes = threads * (b + ndocs) * d * MemoryLayout<E>.stride
    var byRows = rowParallel && privateBytes <= loss.privateAccumulatorLimit
    if let fused, loss.reduction != .none {
      // Linear in the (scalar) upstream gradient: scale the unit gradients.
      let gv = Double(g.scalars[0])
      accA = fused.accA
      accD = fused.accD
      if gv != 1 {
        let ge = E(gv)
        for k in accA.indices { accA[k] *= ge }
        for k in accD.indices { accD[k] *= ge }
      }
      scaleGrad = fused.scale * gv
      byRows = true
    } else if byRows {
      scaleGrad = backwardByRows(u: u, weight: w, threads: threads, accA: &accA, accD: &accD)
    }
    for i0 in stride(from: 0, to: byRows ? 0 : b, by: tq) {
      let rows = Swift.min(tq, b - i0)
      for (pi, pass) in passes.enumerated() {
        let ncols = columnCount(pass)
        let chunks = (ncols + tc - 1) / tc
        let parts = Parallel.chunkCount(chunks, costPerItem: rows * tc * Swift.max(1, d))
        var priv = [E](repeating: 0, count: parts * rows * d)
        var sg = [Double](repeating: 0, count: parts)
        // Per row: the weight of its softmax and the log-sum-exp it is relative to.
        let coef = (0..<rows).map { u[i0 + $0] * w }
        let f = coef.map { $0 * loss.scale }
        let ref = (0..<rows).map { joint ? logZ[i0 + $0] : lse[pi * b + i0 + $0] }
        let queryValues = pass.anchorRows ? a.values : docs.values
        let columnValues = pass.docColumns ? docs.values : a.values
        let candidateIsDocs = pass.docColumns
        priv.withUnsafeMutableBufferPointer { pq in
          sg.withUnsafeMutableBufferPointer { psg in
            accA.withUnsafeMutableBufferPointer { pa in
              accD.withUnsafeMutableBufferPointer { pdoc in
                queryValues.withUnsafeBufferPointer { qv in
                  columnValues.withUnsafeBufferPointer { cv in
                    let privQ = SharedPointer(pq.baseAddress!)
                    let sgs = SharedPointer(psg.baseAddress!)
                    let accC = SharedPointer(candidateIsDocs ? pdoc.baseAddress! : pa.baseAddress!)
                    let q = SharedConstPointer(qv.baseAddress!)
                    let cvals = SharedConstPointer(cv.baseAddress!)
                    Parallel.run(chunks, chunks: parts) { t, range in
                      let tile = UnsafeMutablePointer<E>.allocate(capacity: tq * tc)
                      defer { tile.deallocate() }
                      var sgLocal = 0.0
                      for c in range {
                        let j0 = c * tc
                        let cols = Swift.min(tc, ncols - j0)
                        score(pass, i0, rows, j0, cols, into: tile)
                        if plain(pass.kind) {
                          sgLocal += plainProbabilities(
                            pass.kind, i0, rows, tile, j0, cols, ref: ref, f: f, weight: coef, upstream: u)
                        } else {
                          for r in 0..<rows {
                            sgLocal += probabilities(
                              pass.kind, i0 + r, tile + r * tc, j0, cols, ref: ref[r], weight: coef[r],
                              upstream: u[i0 + r])
                          }
                        }
                        guard d > 0 else { continue }
                        // dQ̂ += G·Ĉ (private), dĈ += Gᵀ·Q̂ (columns owned by this thread).
                        E.gemmAccumulate(
                          m: rows, n: d, k: cols, tile, aRowStride: tc, aColumnStride: 1, cvals.base + j0 * d,
                          ldb: d, privQ.base + t * rows * d, ldc: d)
                        E.gemmAccumulate(
                          m: cols, n: d, k: rows, tile, aRowStride: 1, aColumnStride: tc, q.base + i0 * d, ldb: d,
                          accC.base + j0 * d, ldc: d)
                      }
                      sgs.base[t] = sgLocal
                    }
                  }
                }
              }
            }
          }
        }
        scaleGrad += sg.reduce(0, +)
        // Merge the private row gradients into the rows' accumulator.
        for t in 0..<parts {
          for r in 0..<rows {
            for k in 0..<d {
              let v = priv[(t * rows + r) * d + k]
              if pass.anchorRows { accA[(i0 + r) * d + k] += v } else { accD[(i0 + r) * d + k] += v }
            }
          }
        }
      }
    }
    // The normalizations' backward, rows split over the threads.
    var gA = [T](repeating: 0, count: b * d)
    var gD = [T](repeating: 0, count: ndocs * d)
    let parts = Parallel.chunkCount(ndocs, costPerItem: 8 * Swift.max(1, d))
    anchorsRaw.withUnsafeBufferPointer { xa in
      docsRaw.withUnsafeBufferPointer { xd in
        gA.withUnsafeMutableBufferPointer { oa in
          gD.withUnsafeMutableBufferPointer { od in
            accA.withUnsafeBufferPointer { ga in
              accD.withUnsafeBufferPointer { gd in
                Parallel.run(ndocs, chunks: parts) { _, range in
                  var rowA = [Double](repeating: 0, count: d)
                  var rowP = [Double](repeating: 0, count: d)
                  for i in range {
                    for k in 0..<d {
                      rowA[k] = i < b ? Double(ga[i * d + k]) : 0
                      rowP[k] = Double(gd[i * d + k])
                    }
                    rowP.withUnsafeBufferPointer { docs.backward(xd, row: i, gradient: $0, into: od) }
                    if i < b { rowA.withUnsafeBufferPointer { a.backward(xa, row: i, gradient: $0, into: oa) } }
                  }
                }
              }
            }
          }
        }
      }
    }
    let first = Tensor<T>(uncheckedShape: [b, d], scalars: gA)
    let second = Tensor<T>(uncheckedShape: positivesShape, scalars: Array(gD[0..<(b * d)]))
    let negatives = negativesShape.map { Tensor<T>(uncheckedShape: $0, scalars: Array(gD[(b * d)...])) }
    return BatchLossGradients(first: first, second: second, negatives: negatives, scale: scaleGrad)
  }

  /// The backward pass with whole tiles of rows per thread, each thread accumulating every
  /// gradient into its own buffers (summed at the end): one split for the whole pass.
  /// Returns the scale's gradient.
  private func backwardByRows(
    u: [Double], weight w: Double, threads: Int, accA: inout [E], accD: inout [E]
  ) -> Double {
    let tiles = (b + tq - 1) / tq
    let sizeA = b * d
    let sizeD = ndocs * d
    var priv = [E](repeating: 0, count: threads * (sizeA + sizeD))
    var sg = [Double](repeating: 0, count: threads)
    priv.withUnsafeMutableBufferPointer { pbuf in
      sg.withUnsafeMutableBufferPointer { sbuf in
        a.values.withUnsafeBufferPointer { av in
          docs.values.withUnsafeBufferPointer { dv in
            let acc = SharedPointer(pbuf.baseAddress!)
            let sgs = SharedPointer(sbuf.baseAddress!)
            let aval = SharedConstPointer(av.baseAddress!)
            let dval = SharedConstPointer(dv.baseAddress!)
            Parallel.run(tiles, chunks: threads) { t, range in
              let myA = acc.base + t * (sizeA + sizeD)
              let myD = myA + sizeA
              let tile = UnsafeMutablePointer<E>.allocate(capacity: tq * tc)
              defer { tile.deallocate() }
              var sgLocal = 0.0
              for ti in range {
                let i0 = ti * tq
                let rows = Swift.min(tq, b - i0)
                let coef = (0..<rows).map { u[i0 + $0] * w }
                let f = coef.map { $0 * loss.scale }
                for (pi, pass) in passes.enumerated() {
                  let ref = (0..<rows).map { joint ? logZ[i0 + $0] : lse[pi * b + i0 + $0] }
                  let ncols = columnCount(pass)
                  let q = pass.anchorRows ? aval.base : dval.base
                  let cvals = pass.docColumns ? dval.base : aval.base
                  let accQ = pass.anchorRows ? myA : myD
                  let accC = pass.docColumns ? myD : myA
                  for j0 in stride(from: 0, to: ncols, by: tc) {
                    let cols = Swift.min(tc, ncols - j0)
                    score(pass, i0, rows, j0, cols, into: tile)
                    if plain(pass.kind) {
                      sgLocal += plainProbabilities(
                        pass.kind, i0, rows, tile, j0, cols, ref: ref, f: f, weight: coef, upstream: u)
                    } else {
                      for r in 0..<rows {
                        sgLocal += probabilities(
                          pass.kind, i0 + r, tile + r * tc, j0, cols, ref: ref[r], weight: coef[r],
                          upstream: u[i0 + r])
                      }
                    }
                    guard d > 0 else { continue }
                    E.gemmAccumulate(
                      m: rows, n: d, k: cols, tile, aRowStride: tc, aColumnStride: 1, cvals + j0 * d, ldb: d,
                      accQ + i0 * d, ldc: d)
                    E.gemmAccumulate(
                      m: cols, n: d, k: rows, tile, aRowStride: 1, aColumnStride: tc, q + i0 * d, ldb: d,
                      accC + j0 * d, ldc: d)
                  }
                }
              }
              sgs.base[t] = sgLocal
            }
          }
        }
      }
    }
    for t in 0..<threads {
      let base = t * (sizeA + sizeD)
      for k in 0..<sizeA { accA[k] += priv[base + k] }
      for k in 0..<sizeD { accD[k] += priv[base + sizeA + k] }
    }
    return sg.reduce(0, +)
  }

  /// ``probabilities(_:_:_:_:_:ref:weight:upstream:)`` for a whole tile of plain rows, in C;
  /// the positives on the tile's diagonal get their −1 afterwards.
  package func plainProbabilities(
    _ kind: Kind, _ i0: Int, _ rows: Int, _ tile: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int, ref: [Double],
    f: [Double], weight: [Double], upstream u: [Double], lds: Int? = nil
  ) -> Double {
    let tc = lds ?? self.tc
    // Rows whose positive (column i of queryToDoc) lies in this tile, with its cosine.
    var diagonal: [(r: Int, c: Int, s: Double)] = []
    if kind == .queryToDoc {
      for r in 0..<rows where i0 + r >= j0 && i0 + r < j0 + cols {
        diagonal.append((r, i0 + r - j0, Double(tile[r * tc + i0 + r - j0])))
      }
    }
    var sg = ref.withUnsafeBufferPointer { pr in
      f.withUnsafeBufferPointer { pf in
        weight.withUnsafeBufferPointer { pw in
          E.softmaxRows(
            tile, lds: tc, rows: rows, cols: cols, scale: loss.scale, ref: pr.baseAddress!, f: pf.baseAddress!,
            w: pw.baseAddress!)
        }
      }
    }
    for (r, c, s) in diagonal {
      let p = Double.exp(loss.scale * s - ref[r])
      tile[r * tc + c] = E(loss.scale * (weight[r] * p - u[i0 + r]))
      sg -= u[i0 + r] * s
    }
    return sg
  }

  /// Replaces one tile row's cosines by the gradient of the loss with respect to them,
  /// `scale·(weight·softmax − upstream·[positive])` (0 where excluded), and returns the row's
  /// contribution to the scale's gradient, `Σ (weight·softmax − upstream·[positive])·cos`. The
  /// positive's −1 is applied here, so a softmax of exactly 1 (B = 1) gives a gradient of exactly 0.
  @inline(__always)
  package func probabilities(
    _ kind: Kind, _ i: Int, _ row: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int, ref: Double, weight: Double,
    upstream: Double
  ) -> Double {
    let f = weight * loss.scale
    if kind == .queryToDoc, i >= j0, i < j0 + cols {
      // The positive: its term is taken out of the loop below and put back with its −1.
      let c = i - j0
      let s = Double(row[c])
      let p = Double.exp(logit(kind, i, i, s)! - ref)
      let g = weight * p - upstream
      row[c] = .nan
      defer { row[c] = E(loss.scale * g) }
      return innerProbabilities(kind, i, row, j0, cols, ref: ref, f: f, skip: c) * weight + g * s
    }
    return innerProbabilities(kind, i, row, j0, cols, ref: ref, f: f, skip: -1) * weight
  }

  /// `Σ softmax·cos` over a tile row except column `skip`, writing `f·softmax` (0 where excluded).
  @inline(__always)
  package func innerProbabilities(
    _ kind: Kind, _ i: Int, _ row: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int, ref: Double, f: Double, skip: Int
  ) -> Double {
    var sg = 0.0
    if plain(kind) {
      let sc = loss.scale
      for c in 0..<cols {
        let s = Double(row[c])
        let p = Double.exp(sc * s - ref)
        if c != skip { sg += p * s }
        row[c] = E(f * p)
      }
      return sg
    }
    for c in 0..<cols where c != skip {
      let s = Double(row[c])
      if let l = logit(kind, i, j0 + c, s) {
        let p = Double.exp(l - ref)
        sg += p * s
        row[c] = E(f * p)
      } else {
        row[c] = 0
      }
    }
    return sg
  }
}
