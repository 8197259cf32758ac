import CosineCore
import RealModule

/// The forward passes: each row's log-sum-exp per direction, by tiles of rows per thread or by
/// columns of each tile, and the pass fused with the gradients.
extension MNRLEngine {

  /// Whether whole tiles of rows go to the threads (one split for the whole pass, no
  /// synchronization per tile) rather than the columns of each tile.
  package var rowParallel: Bool {
    let tiles = (b + tq - 1) / tq
    return loss.rowParallel && tiles >= 2 * CosineKitThreads.effectiveCount
  }

  /// The forward pass with whole tiles of rows per thread: each row's log-sum-exps are its
  /// thread's alone.
  func forwardByRows() {
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
              foldTile(pass, i0, rows, j0, Swift.min(tc, ncols - j0), tile: tile, lds: tc, max: m, sum: s)
            }
            for r in 0..<rows { out.base[pi * b + i0 + r] = s[r] == 0 ? -.infinity : m[r] + .log(s[r]) }
          }
        }
      }
    }
  }

  func forward() {
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
              foldTile(pass, i0, rows, j0, Swift.min(tc, ncols - j0), tile: tile, lds: tc, max: m, sum: s)
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
  func finishForward() {
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
  func forwardWithGradients() {
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
                    for r in 0..<rows { (m[r], s[r]) = (-.infinity, 0) }
                    foldTile(passes[0], i0, rows, 0, ndocs, tile: strip, lds: lds, max: m, sum: s)
                    var ref = [Double](repeating: 0, count: rows)
                    for r in 0..<rows {
                      ref[r] = s[r] == 0 ? -.infinity : m[r] + .log(s[r])
                      out.base[i0 + r] = ref[r]
                    }
                    sgLocal += backpropagate(
                      .queryToDoc, i0, rows, 0, ndocs, tile: strip, lds: lds, ref: ref, f: Array(fAll[0..<rows]),
                      weight: Array(coefAll[0..<rows]), upstream: u, queries: aval.base + i0 * d, columns: dval.base,
                      queryGradient: gA.base + i0 * d, columnGradient: myD)
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
}
