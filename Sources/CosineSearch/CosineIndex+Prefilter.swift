import CCosineKernels
import CosineCore

/// When and how a search of a `Float` index starts with a bfloat16 pass.
///
/// A few queries against a large corpus are bound by memory bandwidth: the pass reads only the
/// high halves of the split panels (every normalized value truncated to bfloat16), keeps the
/// approximate k best per query, and flags the panels that may hold a true result; only those
/// are then scored exactly. The margin is proven, so results are exactly those of the full
/// exact search:
///
/// Let a be a query's normalized floats and b a row's, with ‖a‖, ‖b‖ ≤ 1 + D·2⁻²⁴, t = b truncated
/// to bfloat16 (|t_k − b_k| < 2⁻⁷·|b_k|), and γ = D·2⁻²⁴·1.01 the relative error bound of a
/// chain of D fused multiply-adds. The approximate score A = fl(Σ a_k·t_k) and the exact chain
/// E = fl(Σ a_k·b_k) differ by at most m = 2⁻⁷·1.02 + 2.1·γ. If A_k is the k-th best approximate
/// score, at least k rows have E ≥ A_k − m, so every row of the exact top k (by the clamped
/// score, which can exceed the unclamped one by at most 3γ near 1) has A ≥ A_k − 2m − 4γ: the
/// slack. A row whose panel's best approximate score stays below its query's running k-th best
/// minus the slack can therefore be skipped. NaN approximate scores come only from NaN rows;
/// when a query's k-th best approximate score is NaN the search falls back to the exact pass.
package enum Prefilter {
  /// The largest query count for the bfloat16 pass (beyond it the search is compute-bound).
  package static let maxQueries = 8

  /// Whether a search of `queries` queries for the best `k` of `rows` rows of length `dim`
  /// takes the bfloat16 pass.
  package static func applies(queries: Int, k: Int, rows: Int, dim: Int) -> Bool {
    queries >= 1 && queries <= maxQueries && k >= 1 && rows >= 64 * k && rows >= 4096 && dim >= 1
      && Double(dim) * 0x1p-24 < 0.01
  }

  /// The slack of the bfloat16 pass for rows of length `dim` (see the type's documentation).
  package static func slack(dim: Int) -> Float {
    let gamma = Double(dim) * 0x1p-24 * 1.01
    let m = 0x1p-7 * 1.02 + 2.1 * gamma
    return Float(2 * m + 4 * gamma) * 1.001
  }
}

extension CosineIndex {
  /// The search of a few queries through the bfloat16 pass, or nil to run the exact pass
  /// (a query whose k-th best approximate score is NaN).
  package func prefilteredSearch(_ corpus: SplitPanels, _ queries: Tensor<Scalar>, _ kk: Int) throws
    -> CosineSearchResults<Scalar>?
  {
    let nq = queries.shape[0]
    let d = dimension
    let bw = corpus.width
    let packed = try queries.scalars.withUnsafeBufferPointer { p in
      try Packing.packed(p.baseAddress, rows: nq, dim: d, eps: eps, width: nq, as: Float.self)
    }
    let slack = Prefilter.slack(dim: d)
    let panels = corpus.panelCount

    // Approximate pass: each thread a range of panels, with its own approximate heaps; it
    // returns the panels it flagged and, per flagged panel, each query's best approximate score.
    let chunks = Parallel.chunkCount(panels, costPerItem: nq * bw * d)
    let approx = (0..<chunks).map { _ in TopKHeaps<Float>(queries: nq, k: kk) }
    defer { for h in approx { h.deallocate() } }
    let flags = UnsafeMutablePointer<(panels: [Int], maxima: [Float])>.allocate(capacity: chunks)
    flags.initialize(repeating: ([], []), count: chunks)
    defer {
      flags.deinitialize(count: chunks)
      flags.deallocate()
    }
    let out = SharedPointer(flags)
    Parallel.run(panels, chunks: chunks) { c, range in
      var f = [Int64](repeating: 0, count: range.count)
      var fm = [Float](repeating: 0, count: range.count * nq)
      let h = approx[c].pointers(forQueries: 0..<nq)
      let n = f.withUnsafeMutableBufferPointer { fp in
        fm.withUnsafeMutableBufferPointer { mp in
          ck_prefilter_f32(
            packed.base, Int64(nq), Int64(nq), corpus.high, Int64(bw), Int64(range.lowerBound * bw),
            Int64(range.count * bw), Int64(count), Int64(d), slack,
            ck_heaps_f32(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)),
            fp.baseAddress!, mp.baseAddress!)
        }
      }
      if n < 0 { kernelFailed(Int32(-n), "ck_prefilter_f32") }
      out.base[c] = (f.prefix(Int(n)).map { Int($0) }, Array(fm.prefix(Int(n) * nq)))
    }

    // The k-th best approximate score of each query over all threads.
    var kth = [Float](repeating: 0, count: nq)
    for q in 0..<nq {
      var all: [Float] = []
      for h in approx {
        let n = Int(h.sizes[q])
        for j in 0..<n { all.append(h.scores[q * h.capacity + j]) }
      }
      all.sort { a, b in a.isNaN ? false : (b.isNaN ? true : a > b) }
      guard all.count >= kk, !all[kk - 1].isNaN else { return nil }
      kth[q] = all[kk - 1]
    }

    // Panels that may hold a result, in order.
    var candidates: [Int] = []
    for c in 0..<chunks {
      for (f, p) in flags[c].panels.enumerated()
      where (0..<nq).contains(where: { flags[c].maxima[f * nq + $0] >= kth[$0] - slack }) {
        candidates.append(p)
      }
    }

    // Exact pass over those panels, each thread a run of them with its own heaps.
    let exactChunks = Swift.max(1, Swift.min(chunks, candidates.count))
    let parts = (0..<exactChunks).map { _ in TopKHeaps<Float>(queries: nq, k: kk) }
    defer { for p in parts { p.deallocate() } }
    let list = candidates
    Parallel.run(list.count, chunks: exactChunks) { c, range in
      var i = range.lowerBound
      while i < range.upperBound {
        var j = i + 1
        while j < range.upperBound && list[j] == list[j - 1] + 1 { j += 1 }
        corpus.offer(
          packed.base, rows: nq, width: nq, corpusRows: list[i] * bw..<list[j - 1] * bw + bw,
          heaps: parts[c].pointers(forQueries: 0..<nq))
        i = j
      }
    }
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
