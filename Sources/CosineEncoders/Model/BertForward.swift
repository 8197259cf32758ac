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

  /// `out = input·W + b` for `rows` rows (``DenseOp/forward(_:ldx:rows:weight:bias:inputs:outputs:into:ldy:)``).
  static func dense(_ input: [Scalar], _ layer: DenseLayer<Scalar>, rows: Int, into out: inout [Scalar]) {
    DenseOp.forward(
      input, ldx: layer.inputs, rows: rows, weight: layer.weight, bias: layer.bias, inputs: layer.inputs,
      outputs: layer.outputs, into: &out, ldy: layer.outputs)
  }

  /// Scaled dot-product attention of each (sequence, head) over that sequence's tokens, without
  /// dropout (``AttentionOp/forward(_:sequences:heads:hidden:dropout:site:into:)``).
  static func attention(
    _ qkv: [Scalar], sequences: [Range<Int>], heads: Int, hidden h: Int, into out: inout [Scalar]
  ) {
    AttentionOp.forward(qkv, sequences: sequences, heads: heads, hidden: h, dropout: nil, site: 0, into: &out)
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

  /// Applies the feed-forward activation in place (``ActivationOp/forward(_:count:_:into:)``).
  static func activate(_ x: inout [Scalar], _ activation: BertActivation) {
    x.withUnsafeMutableBufferPointer { p in
      ActivationOp.forward(p.baseAddress!, count: p.count, activation, into: p.baseAddress!)
    }
  }
}
