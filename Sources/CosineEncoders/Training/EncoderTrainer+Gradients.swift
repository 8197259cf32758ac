import CosineCore
import CosineLosses
import Foundation

extension EncoderTrainer {
  /// The loss of one batch and its gradient with respect to every parameter, in `Scalar`: the
  /// training pass forward, pooling, normalization, the loss, and back.
  ///
  /// - Parameters:
  ///   - columns: token ids per column (each column one list per example).
  ///   - scores: the loss's target, one per example, or nil.
  ///   - miniBatch: with a count below the batch's texts, the gradient-cache form (GradCache,
  ///     sentence-transformers' `Cached…` losses): the texts are embedded `miniBatch` at a time
  ///     without keeping activations, the loss and its gradients with respect to the embeddings
  ///     are computed for the whole batch, and each group is run again, keeping its activations,
  ///     to carry those gradients back. The same gradients for a third more compute and the
  ///     activations of `miniBatch` texts; dropout masks differ from the whole batch's (each
  ///     group has its own seed, the same in both passes).
  package static func lossAndGradients<Scalar: EncoderScalar>(
    _ parameters: BertParameters<Scalar>, model: SentenceEncoderModel, columns: [[[Int32]]], scores: [Double]?,
    loss: any BatchCosineLoss, dropouts: BertTrainingPass<Scalar>.Dropouts, miniBatch: Int? = nil
  ) throws -> (Double, BertParameters<Scalar>) {
    var phases = (forward: 0.0, backward: 0.0)
    return try lossAndGradients(
      parameters, model: model, columns: columns, scores: scores, loss: loss, dropouts: dropouts,
      miniBatch: miniBatch, phases: &phases)
  }

  /// ``lossAndGradients(_:model:columns:scores:loss:dropouts:miniBatch:)`` adding the seconds of
  /// the forward part (encoder, pooling, loss) and of the backward part to `phases`.
  package static func lossAndGradients<Scalar: EncoderScalar>(
    _ parameters: BertParameters<Scalar>, model: SentenceEncoderModel, columns: [[[Int32]]], scores: [Double]?,
    loss: any BatchCosineLoss, dropouts: BertTrainingPass<Scalar>.Dropouts, miniBatch: Int? = nil,
    phases: inout (forward: Double, backward: Double)
  ) throws -> (Double, BertParameters<Scalar>) {
    let start = DispatchTime.now().uptimeNanoseconds
    guard columns.count >= 2, columns.count <= 3, let b = columns.first?.count, columns.allSatisfy({ $0.count == b })
    else {
      throw EncoderModelError.invalidArgument(
        name: "columns", reason: "need two or three text columns of one length, got \(columns.map(\.count))")
    }
    let sequences = columns.flatMap { $0 }
    let size = Swift.max(1, Swift.min(miniBatch ?? sequences.count, sequences.count))
    let groups = stride(from: 0, to: sequences.count, by: size).map { $0..<Swift.min(sequences.count, $0 + size) }
    let cached = groups.count > 1
    // One pass: keep the whole batch's activations. Cached: embed group by group, keep nothing.
    var encoded: [EncodedTexts<Scalar>] = []
    for (k, range) in groups.enumerated() {
      encoded.append(
        try encode(parameters, model, Array(sequences[range]), dropouts: dropouts.group(k), keepingActivations: !cached)
      )
    }
    let width = encoded[0].width
    let embeddings = encoded.flatMap(\.embeddings)
    func column(_ i: Int) throws -> Tensor<Scalar> {
      try Tensor(shape: [b, width], scalars: Array(embeddings[(i * b * width)..<((i + 1) * b * width)]))
    }
    let target = try scores.map { try Tensor<Scalar>(shape: [b], scalars: $0.map { Scalar($0) }) }
    let (value, gradients) = try loss.valueWithGradient(
      try column(0), try column(1), negatives: columns.count == 3 ? try column(2) : nil, target: target)
    let dEmbeddings = gradients.first.scalars + gradients.second.scalars + (gradients.negatives?.scalars ?? [])
    let middle = DispatchTime.now().uptimeNanoseconds
    var out = BertParameters<Scalar>(zerosLike: parameters.layout)
    for (k, range) in groups.enumerated() {
      let group =
        cached
        ? try encode(parameters, model, Array(sequences[range]), dropouts: dropouts.group(k), keepingActivations: true)
        : encoded[k]
      group.backpropagate(
        Array(dEmbeddings[(range.lowerBound * width)..<(range.upperBound * width)]), parameters, model,
        dropouts: dropouts.group(k), into: &out)
    }
    let end = DispatchTime.now().uptimeNanoseconds
    phases.forward += Double(middle - start) / 1e9
    phases.backward += Double(end - middle) / 1e9
    return (Double(value.scalars.reduce(0, +)), out)
  }

  /// Embeds `sequences` in training mode.
  static func encode<Scalar: EncoderScalar>(
    _ parameters: BertParameters<Scalar>, _ model: SentenceEncoderModel, _ sequences: [[Int32]],
    dropouts: BertTrainingPass<Scalar>.Dropouts, keepingActivations: Bool
  ) throws -> EncodedTexts<Scalar> {
    let c = parameters.layout.configuration
    let h = c.hiddenSize
    let batch = PackedTokens(sequences)
    try MemoryBudget.check(
      count: BertTape<Scalar>.elementCount(tokens: batch.ids.count, configuration: c),
      elementSize: MemoryLayout<Scalar>.stride,
      "the activations of \(sequences.count) texts (\(batch.ids.count) tokens; lower the batch size or set a mini-batch size)"
    )
    let tape = BertTrainingPass<Scalar>.forward(parameters, batch, dropouts: dropouts)
    let width = model.poolingModes.count * h
    var argmax: [Int] = []
    let pooled = Pooler<Scalar>.pool(
      packed: tape.output.pointer, sequences: batch.sequences, hidden: h, modes: model.poolingModes, argmax: &argmax)
    var embeddings = pooled
    var norms: [Scalar] = []
    if model.normalizes {
      norms = Pooler<Scalar>.norms(pooled, rows: sequences.count, width: width)
      Pooler<Scalar>.normalize(&embeddings, rows: sequences.count, width: width)
    }
    return EncodedTexts(
      batch: batch, tape: keepingActivations ? tape : nil, embeddings: embeddings, norms: norms, argmax: argmax,
      width: width)
  }
}

/// Texts embedded in training mode: their embeddings and what carrying gradients back needs.
struct EncodedTexts<Scalar: EncoderScalar> {
  let batch: PackedTokens
  /// The activations (nil for the first pass of the gradient cache).
  let tape: BertTape<Scalar>?
  let embeddings: [Scalar]
  /// The norms the embeddings were divided by (empty without normalization).
  let norms: [Scalar]
  let argmax: [Int]
  let width: Int

  /// Adds the parameters' gradients for `dEmbeddings` = ∂L/∂embeddings into `gradients`.
  func backpropagate(
    _ dEmbeddings: [Scalar], _ parameters: BertParameters<Scalar>, _ model: SentenceEncoderModel,
    dropouts: BertTrainingPass<Scalar>.Dropouts, into gradients: inout BertParameters<Scalar>
  ) {
    guard let tape else { preconditionFailure("backpropagate needs the activations") }
    let h = parameters.layout.configuration.hiddenSize
    let rows = batch.sequences.count
    let dPooled =
      model.normalizes
      ? Pooler<Scalar>.normalizeGradient(dEmbeddings, normalized: embeddings, norms: norms, rows: rows, width: width)
      : dEmbeddings
    let dStates = TrainingBuffer<Scalar>(count: batch.ids.count * h)
    Pooler<Scalar>.poolGradient(
      dPooled, sequences: batch.sequences, hidden: h, modes: model.poolingModes, argmax: argmax,
      into: dStates.pointer)
    BertTrainingPass<Scalar>.backward(
      parameters, batch, tape: tape, dropouts: dropouts, dOutput: dStates, into: &gradients)
  }
}
