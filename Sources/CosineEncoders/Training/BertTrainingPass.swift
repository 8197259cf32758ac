import CosineCore

/// A batch of token sequences packed contiguously (no padding rows), as the training pass
/// reads them.
package struct PackedTokens: Sendable, Equatable {
  /// The token ids, sequence after sequence.
  package let ids: [Int]
  /// Each token's position within its sequence.
  package let positions: [Int]
  /// Each sequence's range in `ids`.
  package let sequences: [Range<Int>]

  /// Packs `sequences` of ids.
  package init(_ sequences: [[Int32]]) {
    var ids: [Int] = []
    var positions: [Int] = []
    var ranges: [Range<Int>] = []
    for s in sequences {
      let start = ids.count
      ids.append(contentsOf: s.map(Int.init))
      positions.append(contentsOf: 0..<s.count)
      ranges.append(start..<ids.count)
    }
    self.ids = ids
    self.positions = positions
    self.sequences = ranges
  }
}

/// The activations a BERT forward pass saves for its backward pass (per layer: the layer's
/// input, Q/K/V, the attention context, both LayerNorms' `x̂` and `1/σ`, the feed-forward
/// pre-activation), and the final token states.
package final class BertTape<Scalar: EncoderScalar> {
  package let tokens: Int
  /// `layers + 1` residual streams `[tokens, hidden]`: each layer's input, then the output.
  package let states: [TrainingBuffer<Scalar>]
  let embeddingNormalized: TrainingBuffer<Scalar>
  let embeddingDeviation: TrainingBuffer<Scalar>
  let qkv: [TrainingBuffer<Scalar>]
  let context: [TrainingBuffer<Scalar>]
  let middle: [TrainingBuffer<Scalar>]
  let attentionNormalized: [TrainingBuffer<Scalar>]
  let attentionDeviation: [TrainingBuffer<Scalar>]
  let preActivation: [TrainingBuffer<Scalar>]
  let outputNormalized: [TrainingBuffer<Scalar>]
  let outputDeviation: [TrainingBuffer<Scalar>]

  /// The final token states `[tokens, hidden]`.
  package var output: TrainingBuffer<Scalar> { states[states.count - 1] }

  init(tokens t: Int, configuration c: BertConfiguration) {
    let h = c.hiddenSize
    let l = c.layerCount
    tokens = t
    func buffers(_ count: Int) -> [TrainingBuffer<Scalar>] { (0..<l).map { _ in TrainingBuffer(count: count) } }
    states = (0...l).map { _ in TrainingBuffer(count: t * h) }
    embeddingNormalized = TrainingBuffer(count: t * h)
    embeddingDeviation = TrainingBuffer(count: t)
    qkv = buffers(t * 3 * h)
    context = buffers(t * h)
    middle = buffers(t * h)
    attentionNormalized = buffers(t * h)
    attentionDeviation = buffers(t)
    preActivation = buffers(t * c.intermediateSize)
    outputNormalized = buffers(t * h)
    outputDeviation = buffers(t)
  }

  /// Values a training step over `tokens` holds at its peak: the tape, and the backward pass's
  /// scratch (∂ of the states, a branch, Q/K/V and context gradients, and three feed-forward-wide
  /// buffers), for the memory-budget check before anything is allocated.
  package static func elementCount(tokens t: Int, configuration c: BertConfiguration) -> Int {
    let h = c.hiddenSize
    let tape = (c.layerCount + 2) * h + c.layerCount * (7 * h + c.intermediateSize + 2) + 1
    let scratch = 6 * h + 3 * c.intermediateSize
    return t * (tape + scratch)
  }
}

/// The BERT encoder's forward pass in training form (saving a ``BertTape``, with dropout) and its
/// backward pass, op by op: embeddings, LayerNorm, the Q/K/V and output projections, attention,
/// the activation, dropout. Dropout sites are numbered `4·layer + 1` (attention output), `+ 2`
/// (feed-forward output), `+ 3` (attention probabilities) and `2^20` (embeddings).
package enum BertTrainingPass<Scalar: EncoderScalar> {
  /// The dropouts of one step (nil: evaluation mode, or probability 0).
  package struct Dropouts: Sendable {
    package let hidden: Dropout?
    package let attention: Dropout?

    /// The configuration's dropouts for the step seeded by `seed`; none when `enabled` is false.
    package init(_ c: BertConfiguration, seed: UInt64, enabled: Bool) {
      hidden = enabled && c.hiddenDropout > 0 ? Dropout(probability: c.hiddenDropout, seed: seed) : nil
      attention =
        enabled && c.attentionDropout > 0 ? Dropout(probability: c.attentionDropout, seed: seed ^ 0xA77E_4710) : nil
    }

    private init(hidden: Dropout?, attention: Dropout?) {
      self.hidden = hidden
      self.attention = attention
    }

    /// The dropouts of group `k` of a batch embedded in groups: group 0's are these, each other
    /// group's are seeded apart.
    package func group(_ k: Int) -> Self {
      guard k > 0 else { return self }
      let mix = UInt64(k) &* 0x9E37_79B9_7F4A_7C15
      return Self(
        hidden: hidden.map { Dropout(probability: $0.probability, seed: $0.seed ^ mix) },
        attention: attention.map { Dropout(probability: $0.probability, seed: $0.seed ^ mix) })
    }
  }

  static var embeddingSite: UInt64 { 1 << 20 }

  /// Runs the encoder over `batch`, saving what the backward pass needs.
  package static func forward(
    _ parameters: BertParameters<Scalar>, _ batch: PackedTokens, dropouts: Dropouts
  ) -> BertTape<Scalar> {
    let layout = parameters.layout
    let c = layout.configuration
    let h = c.hiddenSize
    let t = batch.ids.count
    let tape = BertTape<Scalar>(tokens: t, configuration: c)
    guard t > 0 else { return tape }
    let eps = Scalar(c.layerNormEpsilon)
    let projected = TrainingBuffer<Scalar>(count: t * h)
    let activated = TrainingBuffer<Scalar>(count: t * c.intermediateSize)
    parameters.values.withUnsafeBufferPointer { buffer in
      let p = buffer.baseAddress!
      let x = tape.states[0].pointer
      EmbeddingOp.forward(p, layout: layout, ids: batch.ids, positions: batch.positions, into: x)
      LayerNormOp.forward(
        x, adding: nil, rows: t, width: h, gamma: p + layout.embeddingNorm.weight, beta: p + layout.embeddingNorm.bias,
        eps: eps, normalized: tape.embeddingNormalized.pointer, inverseDeviation: tape.embeddingDeviation.pointer)
      dropouts.hidden?.applyInParallel(x, count: t * h, site: embeddingSite)
      for (l, layer) in layout.layers.enumerated() {
        let x0 = tape.states[l].pointer
        let qkv = tape.qkv[l].pointer
        for (part, d) in [layer.query, layer.key, layer.value].enumerated() {
          DenseOp.forward(
            x0, ldx: h, rows: t, weight: p + d.weight, bias: p + d.bias, inputs: h, outputs: h, into: qkv + part * h,
            ldy: 3 * h)
        }
        AttentionOp.forward(
          qkv, sequences: batch.sequences, heads: c.headCount, hidden: h, dropout: dropouts.attention,
          site: UInt64(4 * l + 3), into: tape.context[l].pointer)
        dense(tape.context[l].pointer, layer.attentionOutput, p, rows: t, into: projected.pointer)
        dropouts.hidden?.applyInParallel(projected.pointer, count: t * h, site: UInt64(4 * l + 1))
        let x1 = tape.middle[l].pointer
        x1.update(from: x0, count: t * h)
        LayerNormOp.forward(
          x1, adding: projected.pointer, rows: t, width: h, gamma: p + layer.attentionNorm.weight,
          beta: p + layer.attentionNorm.bias, eps: eps, normalized: tape.attentionNormalized[l].pointer,
          inverseDeviation: tape.attentionDeviation[l].pointer)
        let u = tape.preActivation[l].pointer
        dense(x1, layer.intermediate, p, rows: t, into: u)
        ActivationOp.forward(u, count: t * c.intermediateSize, c.activation, into: activated.pointer)
        dense(activated.pointer, layer.output, p, rows: t, into: projected.pointer)
        dropouts.hidden?.applyInParallel(projected.pointer, count: t * h, site: UInt64(4 * l + 2))
        let x2 = tape.states[l + 1].pointer
        x2.update(from: x1, count: t * h)
        LayerNormOp.forward(
          x2, adding: projected.pointer, rows: t, width: h, gamma: p + layer.outputNorm.weight,
          beta: p + layer.outputNorm.bias, eps: eps, normalized: tape.outputNormalized[l].pointer,
          inverseDeviation: tape.outputDeviation[l].pointer)
      }
    }
    return tape
  }

  /// Adds the gradients of the loss with respect to every parameter into `gradients`, given
  /// `dOutput` = ∂L/∂(final token states) `[tokens, hidden]` (consumed as scratch).
  package static func backward(
    _ parameters: BertParameters<Scalar>, _ batch: PackedTokens, tape: BertTape<Scalar>, dropouts: Dropouts,
    dOutput: TrainingBuffer<Scalar>, into gradients: inout BertParameters<Scalar>
  ) {
    let layout = parameters.layout
    let c = layout.configuration
    let h = c.hiddenSize
    let inner = c.intermediateSize
    let t = tape.tokens
    guard t > 0 else { return }
    let dx = dOutput.pointer
    let branch = TrainingBuffer<Scalar>(count: t * h)
    let dInner = TrainingBuffer<Scalar>(count: t * inner)
    let activated = TrainingBuffer<Scalar>(count: t * inner)
    let derivative = TrainingBuffer<Scalar>(count: t * inner)
    let dqkv = TrainingBuffer<Scalar>(count: t * 3 * h)
    let dContext = TrainingBuffer<Scalar>(count: t * h)
    let transposed = TrainingBuffer<Scalar>(count: Swift.max(3 * h * h, inner * h))
    parameters.values.withUnsafeBufferPointer { buffer in
      gradients.values.withUnsafeMutableBufferPointer { gradientBuffer in
        let p = buffer.baseAddress!
        let g = gradientBuffer.baseAddress!
        for (l, layer) in layout.layers.enumerated().reversed() {
          // Output LayerNorm: ∂(x1 + o) into dx, which is also ∂x1 through the residual.
          LayerNormOp.backward(
            dx, normalized: tape.outputNormalized[l].pointer, inverseDeviation: tape.outputDeviation[l].pointer,
            rows: t, width: h, gamma: p + layer.outputNorm.weight, dGamma: g + layer.outputNorm.weight,
            dBeta: g + layer.outputNorm.bias, into: dx)
          branch.pointer.update(from: dx, count: t * h)
          dropouts.hidden?.applyInParallel(branch.pointer, count: t * h, site: UInt64(4 * l + 2))
          // Feed-forward output projection and activation.
          ActivationOp.valueAndDerivative(
            tape.preActivation[l].pointer, count: t * inner, c.activation, value: activated.pointer,
            derivative: derivative.pointer)
          dInner.zero()
          backDense(
            activated.pointer, dy: branch.pointer, layer.output, p, g, rows: t, transposed: transposed.pointer,
            into: dInner.pointer)
          ActivationOp.multiply(dInner.pointer, by: derivative.pointer, count: t * inner)
          backDense(
            tape.middle[l].pointer, dy: dInner.pointer, layer.intermediate, p, g, rows: t,
            transposed: transposed.pointer, into: dx)
          // Attention LayerNorm, output projection, attention, Q/K/V.
          LayerNormOp.backward(
            dx, normalized: tape.attentionNormalized[l].pointer,
            inverseDeviation: tape.attentionDeviation[l].pointer, rows: t, width: h,
            gamma: p + layer.attentionNorm.weight, dGamma: g + layer.attentionNorm.weight,
            dBeta: g + layer.attentionNorm.bias, into: dx)
          branch.pointer.update(from: dx, count: t * h)
          dropouts.hidden?.applyInParallel(branch.pointer, count: t * h, site: UInt64(4 * l + 1))
          dContext.zero()
          backDense(
            tape.context[l].pointer, dy: branch.pointer, layer.attentionOutput, p, g, rows: t,
            transposed: transposed.pointer, into: dContext.pointer)
          AttentionOp.backward(
            tape.qkv[l].pointer, gradient: dContext.pointer, sequences: batch.sequences, heads: c.headCount,
            hidden: h, dropout: dropouts.attention, site: UInt64(4 * l + 3), into: dqkv.pointer)
          let x0 = tape.states[l].pointer
          for (part, d) in [layer.query, layer.key, layer.value].enumerated() {
            DenseOp.parameterGradients(
              x0, ldx: h, dy: dqkv.pointer + part * h, ldy: 3 * h, rows: t, inputs: h, outputs: h,
              weight: g + d.weight, bias: g + d.bias)
            // Wᵀ of query, key and value stacked: [3h, h].
            DenseOp.transpose(p + d.weight, rows: h, cols: h, into: transposed.pointer + part * h * h)
          }
          DenseOp.inputGradient(
            dqkv.pointer, ldy: 3 * h, rows: t, transposed: transposed.pointer, inputs: h, outputs: 3 * h, into: dx,
            ldx: h)
        }
        dropouts.hidden?.applyInParallel(dx, count: t * h, site: embeddingSite)
        LayerNormOp.backward(
          dx, normalized: tape.embeddingNormalized.pointer, inverseDeviation: tape.embeddingDeviation.pointer,
          rows: t, width: h, gamma: p + layout.embeddingNorm.weight, dGamma: g + layout.embeddingNorm.weight,
          dBeta: g + layout.embeddingNorm.bias, into: dx)
        EmbeddingOp.backward(dx, layout: layout, ids: batch.ids, positions: batch.positions, into: g)
      }
    }
  }

  static func dense(
    _ x: UnsafePointer<Scalar>, _ d: BertParameterLayout.Dense, _ p: UnsafePointer<Scalar>, rows: Int,
    into y: UnsafeMutablePointer<Scalar>
  ) {
    DenseOp.forward(
      x, ldx: d.inputs, rows: rows, weight: p + d.weight, bias: p + d.bias, inputs: d.inputs, outputs: d.outputs,
      into: y, ldy: d.outputs)
  }

  /// A dense layer's three derivatives: parameters into `g`, `∂x` added into `dx`.
  static func backDense(
    _ x: UnsafePointer<Scalar>, dy: UnsafePointer<Scalar>, _ d: BertParameterLayout.Dense,
    _ p: UnsafePointer<Scalar>, _ g: UnsafeMutablePointer<Scalar>, rows: Int,
    transposed: UnsafeMutablePointer<Scalar>, into dx: UnsafeMutablePointer<Scalar>
  ) {
    DenseOp.parameterGradients(
      x, ldx: d.inputs, dy: dy, ldy: d.outputs, rows: rows, inputs: d.inputs, outputs: d.outputs,
      weight: g + d.weight, bias: g + d.bias)
    DenseOp.transpose(p + d.weight, rows: d.inputs, cols: d.outputs, into: transposed)
    DenseOp.inputGradient(
      dy, ldy: d.outputs, rows: rows, transposed: transposed, inputs: d.inputs, outputs: d.outputs, into: dx,
      ldx: d.inputs)
  }
}
