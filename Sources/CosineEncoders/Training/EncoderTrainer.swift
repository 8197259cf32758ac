import CosineCore
import CosineLosses
import CosineTraining
import Foundation

/// How ``EncoderTrainer`` fine-tunes: sentence-transformers' defaults.
public struct FineTuningOptions: Sendable, Equatable {
  /// Passes over the examples. Default 1.
  public var epochs = 1
  /// Examples per optimizer step. Default 32.
  public var batchSize = 32
  /// AdamW's peak learning rate. Default 2e-5.
  public var learningRate = 2e-5
  /// The fraction of the steps (rounded up) over which the rate rises linearly from 0 to its
  /// peak, before decaying linearly to 0 at the last step. Default 0.1.
  public var warmupRatio = 0.1
  /// AdamW's decoupled weight decay, not applied to biases and LayerNorm weights. Default 0.01.
  public var weightDecay = 0.01
  /// The global L2 norm the gradients are clipped to (`torch.nn.utils.clip_grad_norm_`); 0 for
  /// none. Default 1.
  public var maxGradientNorm = 1.0
  /// The most tokens per text (default: the model's `max_seq_length`).
  public var maxLength: Int?
  /// Seed of the example order and of dropout. Default 0.
  public var seed: UInt64 = 0
  /// Whether the configuration's dropout is applied (as in PyTorch's training mode). Default true.
  public var dropout = true
  /// Texts embedded at once with a gradient cache (GradCache, sentence-transformers' `Cached…`
  /// losses): the activations of only this many texts are kept, so large batches fit in memory,
  /// for a third more compute. nil (the default) embeds the whole batch at once.
  public var miniBatchSize: Int?

  /// The defaults.
  public init() {}

  /// Checks every option's range.
  ///
  /// - Throws: ``EncoderModelError/invalidArgument(name:reason:)`` naming the option.
  public func validate() throws {
    func check(_ ok: Bool, _ name: String, _ reason: String) throws {
      if !ok { throw EncoderModelError.invalidArgument(name: name, reason: reason) }
    }
    try check(epochs >= 0, "epochs", "must be >= 0, not \(epochs)")
    try check(batchSize >= 1, "batchSize", "must be >= 1, not \(batchSize)")
    try check(learningRate.isFinite && learningRate >= 0, "learningRate", "must be a finite number >= 0")
    try check(warmupRatio >= 0 && warmupRatio <= 1, "warmupRatio", "must be in [0, 1], not \(warmupRatio)")
    try check(weightDecay.isFinite && weightDecay >= 0, "weightDecay", "must be a finite number >= 0")
    try check(maxGradientNorm.isFinite && maxGradientNorm >= 0, "maxGradientNorm", "must be a finite number >= 0")
    try check((miniBatchSize ?? 1) >= 1, "miniBatchSize", "must be >= 1, not \(miniBatchSize ?? 0)")
  }
}

/// What one optimizer step did.
public struct FineTuningStep: Sendable, Equatable {
  /// The step's number, from 1.
  public var step: Int
  /// The epoch it belongs to, from 1.
  public var epoch: Int
  /// The batch loss before the update.
  public var loss: Double
  /// The learning rate it ran at.
  public var learningRate: Double
  /// The gradients' global L2 norm before clipping.
  public var gradientNorm: Double
  /// Texts encoded (every column of every example).
  public var texts: Int
  /// Seconds the step took (tokenized texts are cached, so this is forward, backward and update).
  public var seconds: Double
  /// Of which: the forward pass, pooling and the loss.
  public var forwardSeconds: Double = 0
  /// Of which: the backward pass (the loss's gradients through every op).
  public var backwardSeconds: Double = 0
  /// Of which: clipping and AdamW.
  public var updateSeconds: Double = 0
  /// Whether the step is its epoch's last (set by ``EncoderTrainer/train(_:progress:)``).
  public var endsEpoch = false
}

/// Fine-tunes a sentence encoder end to end with a batch cosine loss: sentence-transformers'
/// `fit` in Swift.
///
/// ```swift
/// let encoder = try SentenceEncoder(contentsOf: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// var trainer = try EncoderTrainer(encoder: encoder, loss: MultipleNegativesRankingLoss())
/// try trainer.train(try TrainingExamples.read(contentsOf: "pairs.jsonl")) { step, _ in print(step.loss) }
/// try trainer.save(to: URL(fileURLWithPath: "out"), from: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// ```
///
/// Each step encodes every text of the batch (anchors, positives, negatives) through the BERT
/// encoder, pooling and normalization in training mode (dropout as `config.json` says), feeds
/// the embeddings to the loss — column 0 as its first input, column 1 as its second, column 2 as
/// its negatives, the scores as its target — and backpropagates the loss's gradients through
/// every op to every parameter. The gradients are clipped to a global norm of 1 and AdamW
/// updates the weights at a rate that warms up linearly over the first 10 % of the steps and then
/// decays linearly to 0, as transformers' `Trainer` does. Batches never hold the same text twice
/// (in-batch negatives would otherwise include positives).
public struct EncoderTrainer: Sendable {
  /// The encoder being trained (its tokenizer, pooling and normalization; weights as loaded).
  public let base: SentenceEncoder
  /// The loss.
  public let loss: any BatchCosineLoss
  /// The options.
  public let options: FineTuningOptions
  /// The weights as trained so far.
  package var parameters: BertParameters<Float>
  /// AdamW's state.
  package var optimizer: EncoderAdamW
  /// Optimizer steps taken.
  public var stepsTaken: Int { optimizer.step }
  /// Seconds the last ``train(_:progress:)`` spent tokenizing its examples (once, before the
  /// first step).
  public private(set) var tokenizationSeconds = 0.0

  /// Starts from `encoder`'s weights.
  ///
  /// - Throws: ``EncoderModelError/invalidArgument(name:reason:)`` for options out of range
  ///   (see ``FineTuningOptions/validate()``) or a `maxLength` outside the encoder's range.
  public init(encoder: SentenceEncoder, loss: any BatchCosineLoss, options: FineTuningOptions = .init()) throws {
    try options.validate()
    if let m = options.maxLength, !encoder.maxLengthRange.contains(m) {
      throw EncoderModelError.invalidArgument(
        name: "maxLength", reason: "must be in \(encoder.maxLengthRange) (max_position_embeddings), not \(m)")
    }
    base = encoder
    self.loss = loss
    self.options = options
    parameters = BertParameters(encoder.model.bert.weights, configuration: encoder.model.bert.configuration)
    optimizer = EncoderAdamW(count: parameters.layout.count, weightDecay: Float(options.weightDecay))
  }

  /// The encoder with the weights trained so far.
  public var encoder: SentenceEncoder {
    var e = base
    e.model.bert = BertModel(configuration: base.model.bert.configuration, weights: parameters.weights())
    return e
  }

  /// The batches of each epoch: a seeded permutation per epoch, split so that no batch holds a
  /// text twice (sentence-transformers' `NoDuplicatesBatchSampler`).
  public func batches(for examples: TrainingExamples) -> [[[Int]]] {
    var ids: [String: Int] = [:]
    let keys = (0..<examples.count).map { i in
      examples.columns.map { column in
        if let id = ids[column[i]] { return id }
        ids[column[i]] = ids.count
        return ids.count - 1
      }
    }
    var order = SeededGenerator(seed: options.seed)
    return (0..<options.epochs).map { _ in
      NoDuplicateBatches.batches(order: order.permutation(examples.count), keys: keys, size: options.batchSize)
    }
  }

  /// The warm-up steps of a run of `totalSteps`: ⌈warmupRatio · totalSteps⌉, as transformers.
  public func warmupSteps(totalSteps: Int) -> Int { Int((options.warmupRatio * Double(totalSteps)).rounded(.up)) }

  /// Trains on `examples` for ``FineTuningOptions/epochs`` epochs, calling `progress` after every
  /// step with what it did and the trainer as it stands (to save a checkpoint); a trainer that has
  /// already taken steps (resumed from a checkpoint) skips them.
  ///
  /// - Throws: ``EncoderModelError/invalidArgument(name:reason:)`` when the loss needs scores
  ///   or negatives the examples lack (or the reverse), `CosineError` from the loss,
  ///   `CosineError.invalidShape` when a batch's activations would not fit in memory; what
  ///   `progress` throws (to stop early).
  public mutating func train(
    _ examples: TrainingExamples, progress: (FineTuningStep, EncoderTrainer) throws -> Void = { _, _ in }
  ) throws {
    let plan = batches(for: examples)
    let total = plan.reduce(0) { $0 + $1.count }
    let warmup = warmupSteps(totalSteps: total)
    let start = DispatchTime.now().uptimeNanoseconds
    let tokens = tokenize(examples)
    tokenizationSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var step = 0
    for (e, epoch) in plan.enumerated() {
      for (i, batch) in epoch.enumerated() {
        defer { step += 1 }
        guard step >= stepsTaken else { continue }
        let rate = WarmupLinearSchedule<Adam<Float>>.rate(
          atStep: step, peak: options.learningRate, warmupSteps: warmup, totalSteps: total)
        var report = try self.step(
          columns: tokens.map { column in batch.map { column[$0] } },
          scores: examples.scores.map { s in batch.map { s[$0] } }, learningRate: rate)
        report.epoch = e + 1
        report.endsEpoch = i == epoch.count - 1
        try progress(report, self)
      }
    }
  }

  /// The token ids of every column of `examples`.
  public func tokenize(_ examples: TrainingExamples) -> [[[Int32]]] {
    examples.columns.map { column in column.map { base.tokenize($0, maxLength: options.maxLength) } }
  }

  /// One optimizer step on one batch of token ids (one list per column) at `learningRate`.
  ///
  /// - Throws: as ``train(_:progress:)``.
  public mutating func step(columns: [[[Int32]]], scores: [Double]?, learningRate: Double) throws -> FineTuningStep {
    let start = DispatchTime.now().uptimeNanoseconds
    let seed = Self.stepSeed(options.seed, step: stepsTaken)
    var phases = (forward: 0.0, backward: 0.0)
    var (value, gradients) = try Self.lossAndGradients(
      parameters, model: base.model, columns: columns, scores: scores, loss: loss,
      dropouts: .init(parameters.layout.configuration, seed: seed, enabled: options.dropout),
      miniBatch: options.miniBatchSize, phases: &phases)
    let update = DispatchTime.now().uptimeNanoseconds
    let norm = Self.clip(&gradients, maxNorm: options.maxGradientNorm)
    optimizer.update(&parameters, gradients: gradients, learningRate: learningRate)
    let end = DispatchTime.now().uptimeNanoseconds
    return FineTuningStep(
      step: stepsTaken, epoch: 1, loss: value, learningRate: learningRate, gradientNorm: norm,
      texts: columns.reduce(0) { $0 + $1.count }, seconds: Double(end - start) / 1e9,
      forwardSeconds: phases.forward, backwardSeconds: phases.backward, updateSeconds: Double(end - update) / 1e9)
  }

  /// The dropout seed of step `step` of a run seeded by `seed`: output `step` of a SplitMix64
  /// stream of the seed (SplitMix64's state advances by the golden gamma per output).
  static func stepSeed(_ seed: UInt64, step: Int) -> UInt64 {
    var g = SplitMix64(seed: (seed ^ 0x5EED_D407) &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
    return g.next()
  }

  /// Scales `gradients` so that their global L2 norm is at most `maxNorm` (none when 0), as
  /// `clip_grad_norm_`: by `maxNorm / (norm + 1e-6)` when that is below 1. Returns the norm before.
  package static func clip(_ gradients: inout BertParameters<Float>, maxNorm: Double) -> Double {
    var sum = 0.0
    for g in gradients.values { sum += Double(g) * Double(g) }
    let norm = sum.squareRoot()
    let coefficient = maxNorm / (norm + 1e-6)
    if maxNorm > 0, coefficient < 1 {
      let c = Float(coefficient)
      for i in gradients.values.indices { gradients.values[i] *= c }
    }
    return norm
  }
}
