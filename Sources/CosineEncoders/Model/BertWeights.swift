import Foundation

/// A dense layer `y = x·W + b` with `W` stored transposed from PyTorch's `[out, in]` to
/// row-major `[in, out]`, ready as the B operand of the GEMM.
package struct DenseLayer<Scalar: EncoderScalar>: Sendable {
  /// Input width.
  package let inputs: Int
  /// Output width.
  package let outputs: Int
  /// `[inputs, outputs]`, row-major.
  package let weight: [Scalar]
  /// `[outputs]`.
  package let bias: [Scalar]
}

/// LayerNorm's scale and shift.
package struct NormLayer<Scalar: EncoderScalar>: Sendable {
  /// γ.
  package let weight: [Scalar]
  /// β.
  package let bias: [Scalar]
}

/// One encoder layer's parameters; Q, K and V are fused into one `[hidden, 3·hidden]` layer.
package struct EncoderLayerWeights<Scalar: EncoderScalar>: Sendable {
  package let qkv: DenseLayer<Scalar>
  package let attentionOutput: DenseLayer<Scalar>
  package let attentionNorm: NormLayer<Scalar>
  package let intermediate: DenseLayer<Scalar>
  package let output: DenseLayer<Scalar>
  package let outputNorm: NormLayer<Scalar>
}

/// All parameters of a BERT encoder, in the layouts the forward pass reads.
package struct BertWeights<Scalar: EncoderScalar>: Sendable {
  /// `[vocab, hidden]`.
  package let wordEmbeddings: [Scalar]
  /// `[maxPositions, hidden]`.
  package let positionEmbeddings: [Scalar]
  /// The token-type table, `[typeVocab, hidden]`.
  package let tokenTypeEmbeddings: [Scalar]
  /// Row 0 of the token-type table, `[hidden]` (every token's type).
  var tokenType0: ArraySlice<Scalar> { tokenTypeEmbeddings[0..<(embeddingNorm.weight.count)] }
  package let embeddingNorm: NormLayer<Scalar>
  package let layers: [EncoderLayerWeights<Scalar>]

  /// Converts every parameter to another scalar type.
  package func converted<T: EncoderScalar>(to _: T.Type) -> BertWeights<T> {
    func c(_ v: [Scalar]) -> [T] { v.map { T(Float($0)) } }
    func d(_ l: DenseLayer<Scalar>) -> DenseLayer<T> {
      DenseLayer(inputs: l.inputs, outputs: l.outputs, weight: c(l.weight), bias: c(l.bias))
    }
    func n(_ l: NormLayer<Scalar>) -> NormLayer<T> { NormLayer(weight: c(l.weight), bias: c(l.bias)) }
    return BertWeights<T>(
      wordEmbeddings: c(wordEmbeddings), positionEmbeddings: c(positionEmbeddings),
      tokenTypeEmbeddings: c(tokenTypeEmbeddings),
      embeddingNorm: n(embeddingNorm),
      layers: layers.map {
        EncoderLayerWeights(
          qkv: d($0.qkv), attentionOutput: d($0.attentionOutput), attentionNorm: n($0.attentionNorm),
          intermediate: d($0.intermediate), output: d($0.output), outputNorm: n($0.outputNorm))
      })
  }
}

extension BertWeights where Scalar == Float {
  /// Reads the parameters of `configuration` from `file`, with or without the `bert.` prefix.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` for a missing tensor, a shape
  ///   disagreeing with the configuration, or an unsupported dtype.
  package init(file: SafeTensorsFile, configuration c: BertConfiguration) throws {
    let prefix = file.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
    func t(_ name: String, _ shape: [Int]) throws -> [Float] { try file.floats(prefix + name, shape: shape) }
    func transposed(_ w: [Float], rows: Int, cols: Int) -> [Float] {
      var out = [Float](repeating: 0, count: w.count)
      for r in 0..<rows { for k in 0..<cols { out[k * rows + r] = w[r * cols + k] } }
      return out
    }
    func dense(_ name: String, inputs: Int, outputs: Int) throws -> DenseLayer<Float> {
      let w = try t(name + ".weight", [outputs, inputs])
      let b = try t(name + ".bias", [outputs])
      return DenseLayer(inputs: inputs, outputs: outputs, weight: transposed(w, rows: outputs, cols: inputs), bias: b)
    }
    func norm(_ name: String) throws -> NormLayer<Float> {
      NormLayer(weight: try t(name + ".weight", [c.hiddenSize]), bias: try t(name + ".bias", [c.hiddenSize]))
    }
    let h = c.hiddenSize
    wordEmbeddings = try t("embeddings.word_embeddings.weight", [c.vocabularySize, h])
    positionEmbeddings = try t("embeddings.position_embeddings.weight", [c.maxPositions, h])
    tokenTypeEmbeddings = try t("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
    embeddingNorm = try norm("embeddings.LayerNorm")
    var layers: [EncoderLayerWeights<Float>] = []
    for i in 0..<c.layerCount {
      let p = "encoder.layer.\(i)."
      let q = try dense(p + "attention.self.query", inputs: h, outputs: h)
      let k = try dense(p + "attention.self.key", inputs: h, outputs: h)
      let v = try dense(p + "attention.self.value", inputs: h, outputs: h)
      var fused = [Float](repeating: 0, count: h * 3 * h)
      for r in 0..<h {
        for (j, part) in [q, k, v].enumerated() {
          for col in 0..<h { fused[r * 3 * h + j * h + col] = part.weight[r * h + col] }
        }
      }
      layers.append(
        EncoderLayerWeights(
          qkv: DenseLayer(inputs: h, outputs: 3 * h, weight: fused, bias: q.bias + k.bias + v.bias),
          attentionOutput: try dense(p + "attention.output.dense", inputs: h, outputs: h),
          attentionNorm: try norm(p + "attention.output.LayerNorm"),
          intermediate: try dense(p + "intermediate.dense", inputs: h, outputs: c.intermediateSize),
          output: try dense(p + "output.dense", inputs: c.intermediateSize, outputs: h),
          outputNorm: try norm(p + "output.LayerNorm")))
    }
    self.layers = layers
  }
}
