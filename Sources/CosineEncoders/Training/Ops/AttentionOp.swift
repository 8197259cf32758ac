import CosineCore

/// Scaled dot-product self-attention of each (sequence, head) over that sequence's tokens, with
/// dropout on the probabilities, and its derivative.
///
/// Forward, for a head's `Q`, `K`, `V` (`n × d`): `P = softmax(Q·Kᵀ/√d)` row by row,
/// `P̃ = dropout(P)`, `O = P̃·V`. Backward, from `∂O`: `∂V = P̃ᵀ·∂O`, `∂P̃ = ∂O·Vᵀ`,
/// `∂P = dropout(∂P̃)` (the same mask), `∂S = P ∘ (∂P − rowsum(∂P ∘ P))/√d`, `∂Q = ∂S·K`,
/// `∂K = ∂Sᵀ·Q`. `P` is recomputed in the backward pass (one `n × n × d` product) instead of
/// being stored, as FlashAttention does: the stored form would take `heads · Σ n²` values per layer.
package enum AttentionOp<Scalar: EncoderScalar> {
  /// `out` (`[tokens, hidden]`, row stride `hidden`) from `qkv` (`[tokens, 3·hidden]`).
  package static func forward(
    _ qkv: UnsafePointer<Scalar>, sequences: [Range<Int>], heads: Int, hidden h: Int, dropout: Dropout?,
    site: UInt64, into out: UnsafeMutablePointer<Scalar>
  ) {
    let d = h / heads
    let longest = sequences.map(\.count).max() ?? 0
    Parallel.forEachChunk(sequences.count * heads, costPerItem: 4 * longest * longest * d) { _, range in
      let kt = TrainingBuffer<Scalar>(count: d * longest)
      let p = TrainingBuffer<Scalar>(count: longest * longest)
      for pair in range {
        let seq = sequences[pair / heads]
        let head = pair % heads
        let n = seq.count
        guard n > 0 else { continue }
        let q = qkv + seq.lowerBound * 3 * h + head * d
        probabilities(q: q, h: h, d: d, n: n, kt: kt.pointer, into: p.pointer)
        dropout?.apply(p.pointer, count: n * n, site: site, first: pair * longest * longest)
        let o = out + seq.lowerBound * h + head * d
        for i in 0..<n { (o + i * h).update(repeating: 0, count: d) }
        Scalar.gemm(m: n, n: d, k: n, a: p.pointer, lda: n, b: q + 2 * h, ldb: 3 * h, c: o, ldc: h)
      }
    }
  }

  /// `∂qkv` (`[tokens, 3·hidden]`, overwritten) from `∂out` (`[tokens, hidden]`).
  package static func backward(
    _ qkv: UnsafePointer<Scalar>, gradient dOut: UnsafePointer<Scalar>, sequences: [Range<Int>], heads: Int,
    hidden h: Int, dropout: Dropout?, site: UInt64, into dqkv: UnsafeMutablePointer<Scalar>
  ) {
    let d = h / heads
    let scale = 1 / Scalar(d).squareRoot()
    let longest = sequences.map(\.count).max() ?? 0
    Parallel.forEachChunk(sequences.count * heads, costPerItem: 10 * longest * longest * d) { _, range in
      let kt = TrainingBuffer<Scalar>(count: d * longest)
      let p = TrainingBuffer<Scalar>(count: longest * longest)
      let dropped = TrainingBuffer<Scalar>(count: longest * longest)
      let dp = TrainingBuffer<Scalar>(count: longest * longest)
      for pair in range {
        let seq = sequences[pair / heads]
        let head = pair % heads
        let n = seq.count
        let base = seq.lowerBound * 3 * h + head * d
        for i in 0..<n { for part in 0..<3 { (dqkv + base + i * 3 * h + part * h).update(repeating: 0, count: d) } }
        guard n > 0 else { continue }
        let q = qkv + base
        let k = q + h
        let v = q + 2 * h
        let dO = dOut + seq.lowerBound * h + head * d
        probabilities(q: q, h: h, d: d, n: n, kt: kt.pointer, into: p.pointer)
        var pt = UnsafePointer(p.pointer)
        if let dropout {
          dropped.pointer.update(from: p.pointer, count: n * n)
          dropout.apply(dropped.pointer, count: n * n, site: site, first: pair * longest * longest)
          pt = UnsafePointer(dropped.pointer)
        }
        // ∂V = P̃ᵀ·∂O.
        Scalar.gemm(
          m: n, n: d, k: n, a: pt, aRowStride: 1, aColumnStride: n, b: dO, ldb: h, c: dqkv + base + 2 * h, ldc: 3 * h)
        // ∂P̃ = ∂O·Vᵀ (Vᵀ through kt's buffer).
        for i in 0..<n { for c in 0..<d { kt.pointer[c * n + i] = v[i * 3 * h + c] } }
        dp.pointer.update(repeating: 0, count: n * n)
        Scalar.gemm(m: n, n: n, k: d, a: dO, lda: h, b: kt.pointer, ldb: n, c: dp.pointer, ldc: n)
        dropout?.apply(dp.pointer, count: n * n, site: site, first: pair * longest * longest)
        // ∂S = P ∘ (∂P − rowsum(∂P ∘ P)) / √d.
        for i in 0..<n {
          let pr = p.pointer + i * n
          let dr = dp.pointer + i * n
          var dot: Scalar = 0
          for j in 0..<n { dot += pr[j] * dr[j] }
          for j in 0..<n { dr[j] = pr[j] * (dr[j] - dot) * scale }
        }
        // ∂Q = ∂S·K, ∂K = ∂Sᵀ·Q.
        Scalar.gemm(m: n, n: d, k: n, a: dp.pointer, lda: n, b: k, ldb: 3 * h, c: dqkv + base, ldc: 3 * h)
        Scalar.gemm(
          m: n, n: d, k: n, a: dp.pointer, aRowStride: 1, aColumnStride: n, b: q, ldb: 3 * h, c: dqkv + base + h,
          ldc: 3 * h)
      }
    }
  }

  /// `P = softmax(Q·Kᵀ/√d)` (`n × n`, row stride `n`) for a head whose `Q` starts at `q` (K at
  /// `q + h`, row stride `3h`); `kt` is scratch of `d·n`.
  static func probabilities(
    q: UnsafePointer<Scalar>, h: Int, d: Int, n: Int, kt: UnsafeMutablePointer<Scalar>,
    into p: UnsafeMutablePointer<Scalar>
  ) {
    let k = q + h
    for i in 0..<n { for c in 0..<d { kt[c * n + i] = k[i * 3 * h + c] } }
    p.update(repeating: 0, count: n * n)
    Scalar.gemm(m: n, n: n, k: d, a: q, lda: 3 * h, b: kt, ldb: n, c: p, ldc: n)
    Scalar.softmaxRows(p, lds: n, rows: n, cols: n, scale: 1 / Scalar(d).squareRoot())
  }
}
