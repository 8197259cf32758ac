import ArgumentParser
import CosineKit

struct LossCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "loss",
    abstract: "A cosine loss and its gradients.",
    discussion: """
      keras: -cos with norms floored at 1e-7 (Keras 3 cosine_similarity).
      cosine-distance: 1 - cos (PyTorch cosine_similarity, eps 1e-8).
      embedding: PyTorch CosineEmbeddingLoss (needs --target of ±1, optional --margin).
      mse: (cos - label)^2, sentence-transformers CosineSimilarityLoss (needs --target labels).
      Reduction mean is Σ w·loss ÷ number of samples (Keras sum_over_batch_size).
      Batch kinds (inputs [B, D], sentence-transformers' losses):
      mnrl: MultipleNegativesRankingLoss / InfoNCE (--negatives, --scale, --directions,
        --partition-mode, --hardness-mode, --hardness-strength); one loss per anchor.
      cosent: CoSENTLoss (--target labels, --scale); one value per batch.
      triplet: max(0, d(a,p) - d(a,n) + margin), d = 1 - cos (--negatives, --margin, default 1).
      contrastive: ContrastiveLoss (--target labels in [0, 1], --margin, default 0.5).
      online-contrastive: OnlineContrastiveLoss (--target 0/1 labels, --margin); one value per batch.
      Any batch kind: --matryoshka-dims 768,512,... [--matryoshka-weights 1,0.5,...].
      --grad3 is the gradient with respect to --negatives.
      """
  )

  @Option(
    help: "Loss kind: keras, cosine-distance, embedding, mse, mnrl, cosent, triplet, contrastive or online-contrastive."
  )
  var kind: LossKindName
  @Argument(help: ArgumentHelp("First input (y_true / input1).", valueName: "Y_TRUE.npy")) var yTrue: String
  @Argument(help: ArgumentHelp("Second input (y_pred / input2).", valueName: "Y_PRED.npy")) var yPred: String
  @Option(parsing: .unconditional, help: "Axis along which the cosine is taken.") var axis = -1
  @Option(help: "none, sum or mean (default: mean).") var reduction: Reduction?
  @Option(help: ArgumentHelp("Per-sample weights.", valueName: "W.npy")) var sampleWeight: String?
  @Option(help: ArgumentHelp("Per-sample ±1 targets (embedding) or labels (mse).", valueName: "T.npy")) var target:
    String?
  @Option(parsing: .unconditional, help: "Margin of the embedding, triplet and (online-)contrastive losses.")
  var margin: Double?
  @OptionGroup var output: OutputOptions
  @OptionGroup var gradients: GradientOptions
  @OptionGroup var batchOptions: BatchLossOptions
  @Option(
    help: ArgumentHelp("Write the gradient of the sum of the output with respect to --negatives.", valueName: "G3.npy"))
  var grad3: String?

  func validate() throws {
    if let batch = kind.batch {
      if axis != -1 { throw ValidationError("--axis does not apply to --kind \(kind.rawValue) (rows are examples)") }
      if sampleWeight != nil { throw ValidationError("--sample-weight does not apply to --kind \(kind.rawValue)") }
      if grad3 != nil && batchOptions.negatives == nil { throw ValidationError("--grad3 needs --negatives") }
      try batch.validate(batchOptions, target: target, margin: margin, reduction: reduction)
      return
    }
    if batchOptions.anyGiven || grad3 != nil {
      throw ValidationError(
        "--negatives, --scale, --directions, --partition-mode, --hardness-*, --matryoshka-* and --grad3 apply only to the batch kinds"
      )
    }
    if let margin {
      guard kind == .row(.embedding) else { throw ValidationError("--margin applies only to --kind embedding") }
      guard margin.isFinite else { throw ValidationError("--margin must be finite, got \(margin)") }
    }
    switch kind {
    case .row(.embedding), .row(.mse):
      if target == nil { throw ValidationError("--kind \(kind.rawValue) needs --target T.npy") }
    case .row(.keras), .row(.cosineDistance):
      if target != nil { throw ValidationError("--target applies only to --kind embedding and mse") }
    default: break
    }
  }

  var lossKind: CosineLoss.Kind {
    guard let row = kind.rowKind(margin: margin) else { preconditionFailure("batch kinds have no row-wise loss") }
    return row
  }

  func run() throws {
    try OutputPlan.declare(
      ["-o": output.output, "--grad1": gradients.grad1, "--grad2": gradients.grad2, "--grad3": grad3],
      inputs: [yTrue, yPred, sampleWeight, target, batchOptions.negatives])
    if let batch = kind.batch { return try runBatch(batch) }
    let policy = InputPolicy(allowNonfinite: output.allowNonfinite)
    let a = try policy.load(yTrue, as: "Y_TRUE")
    let b = try policy.load(yPred, as: "Y_PRED")
    let w = try sampleWeight.map { try policy.load($0, as: "sample weight") }
    let t = try target.map { try policy.load($0, as: "target") }
    if kind == .row(.embedding), let t, let path = target {
      // Checked before any conversion to the inputs' type, which could round 1.0001 to 1.
      let values = t.converted(to: Double.self).scalars
      if let i = values.firstIndex(where: { $0 != 1 && $0 != -1 }) {
        throw CLIError(
          "\(path): target \(values[i]) at index \(i) is neither 1 nor -1 (the embedding loss needs ±1 targets)")
      }
    }
    try naming([yTrue, yPred, sampleWeight, target]) {
      try max(ComputeType(a), ComputeType(b)).dispatch(Job(command: self, a: a, b: b, weight: w, target: t))
    }
  }

  struct Job: TypedJob {
    let command: LossCommand
    let a: AnyTensor, b: AnyTensor, weight: AnyTensor?, target: AnyTensor?

    func run<T: TensorScalar>(_: T.Type) throws {
      let loss = CosineLoss(command.lossKind, axis: command.axis, reduction: command.reduction ?? .mean)
      let (value, pullback) = try loss.valueWithPullback(
        a.converted(to: T.self), b.converted(to: T.self),
        target: target.map { $0.converted(to: T.self) }, sampleWeight: weight.map { $0.converted(to: T.self) })
      try emit(value, pullback: pullback, output: command.output, gradients: command.gradients)
    }
  }
}
