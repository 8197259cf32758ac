import ArgumentParser
import CosineKit

/// The loss kinds as spelled on the command line.
enum LossKindName: String, ExpressibleByArgument, CaseIterable {
  case keras
  case cosineDistance = "cosine-distance"
  case embedding
  case mse
}

extension Reduction: ExpressibleByArgument {}

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
      """
  )

  @Option(help: "Loss kind: keras, cosine-distance, embedding or mse.") var kind: LossKindName
  @Argument(help: ArgumentHelp("First input (y_true / input1).", valueName: "Y_TRUE.npy")) var yTrue: String
  @Argument(help: ArgumentHelp("Second input (y_pred / input2).", valueName: "Y_PRED.npy")) var yPred: String
  @Option(parsing: .unconditional, help: "Axis along which the cosine is taken.") var axis = -1
  @Option(help: "none, sum or mean.") var reduction: Reduction = .mean
  @Option(help: ArgumentHelp("Per-sample weights.", valueName: "W.npy")) var sampleWeight: String?
  @Option(help: ArgumentHelp("Per-sample ±1 targets (embedding) or labels (mse).", valueName: "T.npy")) var target: String?
  @Option(parsing: .unconditional, help: "Margin of the embedding loss.") var margin: Double?
  @OptionGroup var output: OutputOptions
  @OptionGroup var gradients: GradientOptions

  func validate() throws {
    if let margin {
      guard kind == .embedding else { throw ValidationError("--margin applies only to --kind embedding") }
      guard margin.isFinite else { throw ValidationError("--margin must be finite, got \(margin)") }
    }
    switch kind {
    case .embedding, .mse:
      if target == nil { throw ValidationError("--kind \(kind.rawValue) needs --target T.npy") }
    case .keras, .cosineDistance:
      if target != nil { throw ValidationError("--target applies only to --kind embedding and mse") }
    }
  }

  var lossKind: CosineLoss.Kind {
    switch kind {
    case .keras: .keras
    case .cosineDistance: .cosineDistance()
    case .embedding: .embedding(margin: margin ?? 0)
    case .mse: .mse()
    }
  }

  func run() throws {
    try OutputPlan.declare(
      ["-o": output.output, "--grad1": gradients.grad1, "--grad2": gradients.grad2],
      inputs: [yTrue, yPred, sampleWeight, target])
    let policy = InputPolicy(allowNonfinite: output.allowNonfinite)
    let a = try policy.load(yTrue, as: "Y_TRUE"), b = try policy.load(yPred, as: "Y_PRED")
    let w = try sampleWeight.map { try policy.load($0, as: "sample weight") }
    let t = try target.map { try policy.load($0, as: "target") }
    if kind == .embedding, let t, let path = target {
      // Checked before any conversion to the inputs' type, which could round 1.0001 to 1.
      let values = t.converted(to: Double.self).scalars
      if let i = values.firstIndex(where: { $0 != 1 && $0 != -1 }) {
        throw CLIError("\(path): target \(values[i]) at index \(i) is neither 1 nor -1 (the embedding loss needs ±1 targets)")
      }
    }
    try naming([yTrue, yPred, sampleWeight, target]) { try max(ComputeType(a), ComputeType(b)).dispatch(Job(command: self, a: a, b: b, weight: w, target: t)) }
  }

  struct Job: TypedJob {
    let command: LossCommand
    let a: AnyTensor, b: AnyTensor, weight: AnyTensor?, target: AnyTensor?

    func run<T: TensorScalar>(_: T.Type) throws {
      let loss = CosineLoss(command.lossKind, axis: command.axis, reduction: command.reduction)
      let (value, pullback) = try loss.valueWithPullback(
        a.converted(to: T.self), b.converted(to: T.self),
        target: target.map { $0.converted(to: T.self) }, sampleWeight: weight.map { $0.converted(to: T.self) })
      try emit(value, pullback: pullback, output: command.output, gradients: command.gradients)
    }
  }
}
