import Foundation

/// Where each trainable tensor of a BERT encoder lives in one flat buffer, so that the optimizer,
/// gradient clipping and zeroing are single loops over all parameters.
///
/// Dense weights are stored transposed from PyTorch's `[out, in]` to row-major `[in, out]` (the
/// GEMM's B operand); everything else keeps PyTorch's layout. Query, key and value stay separate
/// tensors, as in the model file.
package struct BertParameterLayout: Sendable, Equatable {
  /// One tensor: its PyTorch name (without a `bert.` prefix), shape and place.
  package struct Entry: Sendable, Equatable {
    /// The name in `model.safetensors`, e.g. `encoder.layer.0.attention.self.query.weight`.
    package let name: String
    /// PyTorch's shape.
    package let shape: [Int]
    /// The first element in the flat buffer.
    package let offset: Int
    /// Whether the buffer holds the transpose of PyTorch's `[out, in]` matrix.
    package let transposed: Bool
    /// Whether AdamW's weight decay applies (not to biases and LayerNorm weights, as
    /// sentence-transformers and transformers' `Trainer` group them).
    package let decays: Bool
    /// Element count.
    package var count: Int { shape.reduce(1, *) }
  }

  /// The offsets of one dense layer (weight `[in, out]`, bias `[out]`).
  package struct Dense: Sendable, Equatable {
    package let weight: Int
    package let bias: Int
    package let inputs: Int
    package let outputs: Int
  }

  /// The offsets of one LayerNorm (γ, β).
  package struct Norm: Sendable, Equatable {
    package let weight: Int
    package let bias: Int
  }

  /// One encoder layer's tensors.
  package struct Layer: Sendable, Equatable {
    package let query: Dense
    package let key: Dense
    package let value: Dense
    package let attentionOutput: Dense
    package let attentionNorm: Norm
    package let intermediate: Dense
    package let output: Dense
    package let outputNorm: Norm
  }

  /// The shape.
  package let configuration: BertConfiguration
  /// Every tensor in buffer order.
  package let entries: [Entry]
  /// `[vocab, hidden]`.
  package let wordEmbeddings: Int
  /// `[maxPositions, hidden]`.
  package let positionEmbeddings: Int
  /// `[typeVocab, hidden]` (row 0 is used).
  package let tokenTypeEmbeddings: Int
  package let embeddingNorm: Norm
  package let layers: [Layer]
  /// Total element count.
  package let count: Int

  /// The layout of `configuration`.
  package init(_ c: BertConfiguration) {
    var entries: [Entry] = []
    var next = 0
    func add(_ name: String, _ shape: [Int], transposed: Bool = false, decays: Bool) -> Int {
      let offset = next
      entries.append(Entry(name: name, shape: shape, offset: offset, transposed: transposed, decays: decays))
      next += shape.reduce(1, *)
      return offset
    }
    func dense(_ name: String, _ inputs: Int, _ outputs: Int) -> Dense {
      let w = add(name + ".weight", [outputs, inputs], transposed: true, decays: true)
      let b = add(name + ".bias", [outputs], decays: false)
      return Dense(weight: w, bias: b, inputs: inputs, outputs: outputs)
    }
    func norm(_ name: String) -> Norm {
      Norm(
        weight: add(name + ".weight", [c.hiddenSize], decays: false),
        bias: add(name + ".bias", [c.hiddenSize], decays: false))
    }
    let h = c.hiddenSize
    wordEmbeddings = add("embeddings.word_embeddings.weight", [c.vocabularySize, h], decays: true)
    positionEmbeddings = add("embeddings.position_embeddings.weight", [c.maxPositions, h], decays: true)
    tokenTypeEmbeddings = add("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h], decays: true)
    embeddingNorm = norm("embeddings.LayerNorm")
    var layers: [Layer] = []
    for i in 0..<c.layerCount {
      let p = "encoder.layer.\(i)."
      layers.append(
        Layer(
          query: dense(p + "attention.self.query", h, h), key: dense(p + "attention.self.key", h, h),
          value: dense(p + "attention.self.value", h, h),
          attentionOutput: dense(p + "attention.output.dense", h, h),
          attentionNorm: norm(p + "attention.output.LayerNorm"),
          intermediate: dense(p + "intermediate.dense", h, c.intermediateSize),
          output: dense(p + "output.dense", c.intermediateSize, h), outputNorm: norm(p + "output.LayerNorm")))
    }
    self.layers = layers
    self.entries = entries
    self.count = next
    self.configuration = c
  }
}

/// A BERT encoder's parameters in one flat buffer laid out by ``BertParameterLayout``.
package struct BertParameters<Scalar: EncoderScalar>: Sendable {
  /// The layout.
  package let layout: BertParameterLayout
  /// The values, `layout.count` of them.
  package var values: [Scalar]

  /// Zeros of `layout` (a gradient buffer).
  package init(zerosLike layout: BertParameterLayout) {
    self.layout = layout
    self.values = [Scalar](repeating: 0, count: layout.count)
  }

  /// These parameters with `values` (of the layout's count).
  package func with(values: [Scalar]) -> Self {
    precondition(values.count == layout.count, "\(values.count) values for a layout of \(layout.count)")
    var copy = self
    copy.values = values
    return copy
  }

  /// The same values in another scalar type.
  package func converted<T: EncoderScalar>(to _: T.Type) -> BertParameters<T> {
    var out = BertParameters<T>(zerosLike: layout)
    out.values = values.map { T(Double($0)) }
    return out
  }

  /// The inference-time weights (query, key and value fused) of these values.
  package func weights() -> BertWeights<Scalar> {
    let c = layout.configuration
    let h = c.hiddenSize
    func slice(_ offset: Int, _ count: Int) -> [Scalar] { Array(values[offset..<(offset + count)]) }
    func dense(_ d: BertParameterLayout.Dense) -> DenseLayer<Scalar> {
      DenseLayer(
        inputs: d.inputs, outputs: d.outputs, weight: slice(d.weight, d.inputs * d.outputs),
        bias: slice(d.bias, d.outputs))
    }
    func norm(_ n: BertParameterLayout.Norm) -> NormLayer<Scalar> {
      NormLayer(weight: slice(n.weight, h), bias: slice(n.bias, h))
    }
    let layers = layout.layers.map { l -> EncoderLayerWeights<Scalar> in
      var fused = [Scalar](repeating: 0, count: h * 3 * h)
      for r in 0..<h {
        for (j, part) in [l.query, l.key, l.value].enumerated() {
          for col in 0..<h { fused[r * 3 * h + j * h + col] = values[part.weight + r * h + col] }
        }
      }
      return EncoderLayerWeights(
        qkv: DenseLayer(
          inputs: h, outputs: 3 * h, weight: fused,
          bias: slice(l.query.bias, h) + slice(l.key.bias, h) + slice(l.value.bias, h)),
        attentionOutput: dense(l.attentionOutput), attentionNorm: norm(l.attentionNorm),
        intermediate: dense(l.intermediate), output: dense(l.output), outputNorm: norm(l.outputNorm))
    }
    return BertWeights(
      wordEmbeddings: slice(layout.wordEmbeddings, c.vocabularySize * h),
      positionEmbeddings: slice(layout.positionEmbeddings, c.maxPositions * h),
      tokenTypeEmbeddings: slice(layout.tokenTypeEmbeddings, c.typeVocabularySize * h),
      embeddingNorm: norm(layout.embeddingNorm), layers: layers)
  }

  /// Tensor `entry` in PyTorch's layout (transposed back for dense weights), as `Float`.
  package func torchValues(_ entry: BertParameterLayout.Entry) -> [Float] {
    guard entry.transposed else { return values[entry.offset..<(entry.offset + entry.count)].map { Float($0) } }
    let rows = entry.shape[0]  // out
    let cols = entry.shape[1]  // in
    var out = [Float](repeating: 0, count: entry.count)
    for k in 0..<cols { for r in 0..<rows { out[r * cols + k] = Float(values[entry.offset + k * rows + r]) } }
    return out
  }
}

extension BertParameters {
  /// The parameters of an inference-time model (query, key and value split again).
  package init(_ w: BertWeights<Scalar>, configuration c: BertConfiguration) {
    self.init(zerosLike: BertParameterLayout(c))
    let h = c.hiddenSize
    func put(_ v: [Scalar], at offset: Int) { values.replaceSubrange(offset..<(offset + v.count), with: v) }
    put(w.wordEmbeddings, at: layout.wordEmbeddings)
    put(w.positionEmbeddings, at: layout.positionEmbeddings)
    put(w.tokenTypeEmbeddings, at: layout.tokenTypeEmbeddings)
    put(w.embeddingNorm.weight, at: layout.embeddingNorm.weight)
    put(w.embeddingNorm.bias, at: layout.embeddingNorm.bias)
    for (l, layer) in zip(layout.layers, w.layers) {
      for (j, part) in [l.query, l.key, l.value].enumerated() {
        for r in 0..<h {
          for col in 0..<h { values[part.weight + r * h + col] = layer.qkv.weight[r * 3 * h + j * h + col] }
        }
        put(Array(layer.qkv.bias[(j * h)..<((j + 1) * h)]), at: part.bias)
      }
      for (d, dense) in [
        (l.attentionOutput, layer.attentionOutput), (l.intermediate, layer.intermediate),
        (l.output, layer.output),
      ] {
        put(dense.weight, at: d.weight)
        put(dense.bias, at: d.bias)
      }
      for (n, norm) in [(l.attentionNorm, layer.attentionNorm), (l.outputNorm, layer.outputNorm)] {
        put(norm.weight, at: n.weight)
        put(norm.bias, at: n.bias)
      }
    }
  }
}
