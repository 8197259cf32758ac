import CosineCore

/// The BERT encoder's forward pass over the real tokens of a batch packed contiguously (no
/// padding rows): every projection is one GEMM over all tokens, attention runs per
/// (sequence, head) on that sequence's tokens only, which is exactly masking padding keys.
package enum BertForward<Scalar: EncoderScalar> {
  /// The final token states, `[tokens, hidden]`, of the packed tokens.
  ///
  /// - Parameters:
  ///   - weights: the parameters.
  ///   - configuration: the shape.
  ///   - ids: the packed token ids (validated by the caller).
  ///   - positions: each packed token's position in its padded row.
  ///   - sequences: each sequence's range in the packed tokens.
  package static func run(
    weights w: BertWeights<Scalar>, configuration c: BertConfiguration, ids: [Int], positions: [Int],
    sequences: [Range<Int>]
  ) -> [Scalar] {
    let h = c.hiddenSize
    let t = ids.count
    var x = [Scalar](repeating: 0, count: t * h)
    let type0 = Array(w.tokenType0)
    for i in 0..<t {
      let word = ids[i] * h
      let position = positions[i] * h
      for j in 0..<h {
        x[i * h + j] = w.wordEmbeddings[word + j] + w.positionEmbeddings[position + j] + type0[j]
      }
    }
    let eps = Scalar(c.layerNormEpsilon)
    layerNorm(&x, adding: nil, rows: t, width: h, norm: w.embeddingNorm, eps: eps)
    var qkv = [Scalar](repeating: 0, count: t * 3 * h)
    var context = [Scalar](repeating: 0, count: t * h)
    var projected = [Scalar](repeating: 0, count: t * h)
    var inner = [Scalar](repeating: 0, count: t * c.intermediateSize)
    for layer in w.layers {
      dense(x, layer.qkv, rows: t, into: &qkv)
      attention(qkv, sequences: sequences, heads: c.headCount, hidden: h, into: &context)
      dense(context, layer.attentionOutput, rows: t, into: &projected)
      layerNorm(&x, adding: projected, rows: t, width: h, norm: layer.attentionNorm, eps: eps)
      dense(x, layer.intermediate, rows: t, into: &inner)
      activate(&inner, c.activation)
      dense(inner, layer.output, rows: t, into: &projected)
      layerNorm(&x, adding: projected, rows: t, width: h, norm: layer.outputNorm, eps: eps)
    }
    return x
  }

  /// `out = input·W + b` for `rows` rows, split by rows across the threads.
  static func dense(_ input: [Scalar], _ layer: DenseLayer<Scalar>, rows: Int, into out: inout [Scalar]) {
    let n = layer.outputs
    let k = layer.inputs
    input.withUnsafeBufferPointer { a in
      layer.weight.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { o in
          let a = SharedConstPointer(a.baseAddress!)
          let b = SharedConstPointer(b.baseAddress!)
          let o = SharedPointer(o.baseAddress!)
          Parallel.forEachChunk(rows, costPerItem: n * k) { _, range in
            layer.bias.withUnsafeBufferPointer { bias in
              for r in range { (o.base + r * n).update(from: bias.baseAddress!, count: n) }
            }
            Scalar.gemm(
              m: range.count, n: n, k: k, a: a.base + range.lowerBound * k, lda: k, b: b.base, ldb: n,
              c: o.base + range.lowerBound * n, ldc: n)
          }
        }
      }
    }
  }

  /// Scaled dot-product attention of each (sequence, head) over that sequence's tokens.
  static func attention(
    _ qkv: [Scalar], sequences: [Range<Int>], heads: Int, hidden h: Int, into out: inout [Scalar]
  ) {
    let d = h / heads
    let scale = 1 / Scalar(d).squareRoot()
    let longest = sequences.map(\.count).max() ?? 0
    qkv.withUnsafeBufferPointer { qkvBuffer in
      out.withUnsafeMutableBufferPointer { outBuffer in
        let src = SharedConstPointer(qkvBuffer.baseAddress!)
        let dst = SharedPointer(outBuffer.baseAddress!)
        let pairs = sequences.count * heads
        Parallel.forEachChunk(pairs, costPerItem: 4 * longest * longest * d) { _, range in
          var kt = [Scalar](repeating: 0, count: d * longest)
          var scores = [Scalar](repeating: 0, count: longest * longest)
          for pair in range {
            let seq = sequences[pair / heads]
            let head = pair % heads
            let n = seq.count
            guard n > 0 else { continue }
            let q = src.base + seq.lowerBound * 3 * h + head * d
            let k = q + h
            let v = q + 2 * h
            for i in 0..<n { for p in 0..<d { kt[p * n + i] = k[i * 3 * h + p] } }
            for i in 0..<(n * n) { scores[i] = 0 }
            kt.withUnsafeBufferPointer { ktp in
              scores.withUnsafeMutableBufferPointer { s in
                Scalar.gemm(m: n, n: n, k: d, a: q, lda: 3 * h, b: ktp.baseAddress!, ldb: n, c: s.baseAddress!, ldc: n)
                Scalar.softmaxRows(s.baseAddress!, lds: n, rows: n, cols: n, scale: scale)
                let o = dst.base + seq.lowerBound * h + head * d
                for i in 0..<n { for p in 0..<d { o[i * h + p] = 0 } }
                Scalar.gemm(m: n, n: d, k: n, a: s.baseAddress!, lda: n, b: v, ldb: 3 * h, c: o, ldc: h)
              }
            }
          }
        }
      }
    }
  }

  /// `x ← LayerNorm(x + residual)` per row: `(y − mean) / √(var + eps) · γ + β` with the biased
  /// variance, split by rows across the threads.
  static func layerNorm(
    _ x: inout [Scalar], adding residual: [Scalar]?, rows: Int, width: Int, norm: NormLayer<Scalar>, eps: Scalar
  ) {
    x.withUnsafeMutableBufferPointer { buffer in
      norm.weight.withUnsafeBufferPointer { gamma in
        norm.bias.withUnsafeBufferPointer { beta in
          let base = SharedPointer(buffer.baseAddress!)
          let g = SharedConstPointer(gamma.baseAddress!)
          let b = SharedConstPointer(beta.baseAddress!)
          func run(_ add: SharedConstPointer<Scalar>?) {
            Parallel.forEachRange(rows, costPerItem: 8 * width) { range in
              Scalar.addLayerNorm(
                base.base + range.lowerBound * width, add: add.map { $0.base + range.lowerBound * width },
                rows: range.count, width: width, gamma: g.base, beta: b.base, eps: eps)
            }
          }
          if let residual {
            residual.withUnsafeBufferPointer { r in run(SharedConstPointer(r.baseAddress!)) }
          } else {
            run(nil)
          }
        }
      }
    }
  }

  /// Applies the feed-forward activation in place.
  static func activate(_ x: inout [Scalar], _ activation: BertActivation) {
    x.withUnsafeMutableBufferPointer { buffer in
      let base = SharedPointer(buffer.baseAddress!)
      Parallel.forEachRange(buffer.count, costPerItem: 20) { range in
        let p = base.base
        switch activation {
        case .gelu:
          Scalar.geluErf(p + range.lowerBound, count: range.count)
        case .geluTanh:
          let c = (2 / Scalar.pi).squareRoot()
          for i in range {
            let v = p[i]
            p[i] = v * (1 + Scalar.tanh(c * (v + Scalar(0.044715) * v * v * v))) / 2
          }
        case .relu:
          for i in range { p[i] = Swift.max(p[i], 0) }
        }
      }
    }
  }
}
