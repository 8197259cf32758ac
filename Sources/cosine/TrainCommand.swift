import ArgumentParser
import CosineKit

/// `cosine train`: fits two towers (or one shared tower) so that the cosine similarity of the
/// embeddings of paired rows follows a cosine loss — the embedding-adapter workflow.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train two towers on paired rows, or fine-tune a sentence encoder on text pairs, with a cosine loss.",
    usage: """
      cosine train LEFT.npy RIGHT.npy [--loss LOSS] [-o MODEL.json] [<options>]
      cosine train --encoder DIR --pairs PAIRS.jsonl [--loss mnrl|cosent|...] -o OUT_DIR [<options>]
      """,
    discussion: """
      With --encoder, fine-tunes the sentence-transformers model directory DIR end to end on the \
      texts of PAIRS.jsonl (one JSON object a line: {"anchor": ..., "positive": ...} with an \
      optional "negative" for mnrl and triplet, or {"sentence1": ..., "sentence2": ..., "score": ...} \
      for cosent, contrastive, online-contrastive, mse (sentence-transformers' CosineSimilarityLoss) \
      and embedding) as sentence-transformers' fit does: AdamW \
      (weight decay 0.01, none on biases and LayerNorm weights), linear warm-up over --warmup-ratio \
      of the steps then linear decay, gradients clipped to norm 1, dropout as config.json says, \
      batches that never hold a text twice. Defaults: --loss mnrl, 1 epoch, batch 32, learning \
      rate 2e-5, warm-up 0.1. OUT_DIR receives the model (loadable by SentenceTransformer(OUT_DIR) \
      and `cosine embed-text --model OUT_DIR`), loss.csv (the loss of every step) and, with \
      --checkpoint-every N, the latest checkpoint-STEP directory, which --resume continues from. \
      --mini-batch-size M keeps the activations of only M texts at a time (a gradient cache), for \
      batches larger than memory.

      LEFT and RIGHT are .npy matrices with one row per pair ([n, d] and [n, d']). The left tower \
      embeds LEFT rows and the right tower RIGHT rows (one tower for both with --shared). \
      The embedding loss needs --target with 1 (similar) or -1 (dissimilar) per pair; mse needs \
      --target with a label in [0, 1] per pair; keras and cosine-distance pull every pair together \
      and take no target. Apply a saved tower with `cosine embed`.
      The batch losses mnrl, cosent, triplet, contrastive and online-contrastive compare each pair \
      with the whole batch (sentence-transformers' losses; see `cosine loss --help`): batches never \
      hold the same pair or row twice; --negatives gives hard negatives for the right tower ([n, d'] or \
      [k, n, d']; required by triplet); --matryoshka-dims trains truncated embeddings too.
      --adapter trains identity-initialized linear adapters on frozen embeddings; its defaults \
      (10 epochs, batch 256, learning rate 1e-3, --schedule linear) are a recipe for --loss mnrl \
      on query/document pairs.
      """
  )

  @Argument(help: "Left rows, an .npy matrix [n, d] (not with --encoder).")
  var left: String?

  @Argument(help: "Right rows, an .npy matrix [n, d'] (not with --encoder).")
  var right: String?

  @OptionGroup(title: "Fine-tuning a sentence encoder") var encoderOptions: EncoderTrainingOptions

  @Option(help: "Per-pair targets or labels, an .npy vector [n].")
  var target: String?

  @Option(
    name: .customLong("loss"),
    help: ArgumentHelp(
      "The loss: keras, cosine-distance, embedding, mse, mnrl, cosent, triplet, contrastive or online-contrastive. (default: cosine-distance; mnrl with --encoder)",
      valueName: "loss"))
  var lossOption: LossKindName?

  /// The loss given, or the mode's default.
  var loss: LossKindName { lossOption ?? (encoderOptions.encoder != nil ? .batch(.mnrl) : .cosineDistance) }

  @Option(help: "The margin of the embedding, triplet and (online-)contrastive losses (default: 0, 1 and 0.5).")
  var margin: Double?

  @OptionGroup var batchOptions: BatchLossOptions

  @Option(help: "Layer sizes after the input, comma-separated; the last is the embedding width.")
  var layers: LayerWidths = LayerWidths(sizes: [64, 32])

  @Option(help: "Activation of the hidden layers (none and identity are linear).")
  var activation: Activation = .tanh

  @Flag(help: "L2-normalize the embeddings (the towers end with an L2 normalization).")
  var normalize = false

  @Flag(help: "One tower embeds both sides (Siamese); needs d = d'.")
  var shared = false

  @Flag(
    help:
      "Train adapters: a linear layer of the input width per side, initialized to the identity (instead of --layers).")
  var adapter = false

  @Option(help: "With --adapter: the rank R of a low-rank adapter W = I + U·Vᵀ (default: full rank).")
  var rank: Int?

  @Option(help: "Passes over the pairs (default: 20; 10 with --adapter).")
  var epochs: Int?

  @Option(name: .customLong("batch-size"), help: "Pairs per optimizer step (default: 64; 256 with --adapter).")
  var batchSize: Int?

  @Option(
    name: .customLong("learning-rate"), help: "Adam's learning rate, the peak of --schedule linear (default: 1e-3).")
  var learningRate: Double?

  @Option(
    help:
      "Learning-rate schedule: constant, or linear (warm-up over the first 10% of the steps, then linear decay to 0). (default: constant; linear with --adapter)"
  )
  var schedule: LearningRateSchedule?

  @Option(help: "Seed of the initialization and of the order of the pairs.")
  var seed: UInt64 = 0

  @Option(
    name: [.short, .customLong("output")],
    help: "Where the trained model is saved: a JSON file (default: model.json), or with --encoder a directory.")
  var outputOption: String?

  /// The output path (the towers' default `model.json`).
  var output: String { outputOption ?? "model.json" }

  func validate() throws {
    if encoderOptions.encoder != nil {
      try validateEncoderMode()
      return
    }
    if let given = encoderOptions.givenOption {
      throw ValidationError("\(given) applies only with --encoder DIR")
    }
    guard left != nil, right != nil else {
      throw ValidationError("give LEFT.npy and RIGHT.npy, or --encoder DIR --pairs PAIRS.jsonl")
    }
    if let epochs, epochs < 0 { throw ValidationError("--epochs must be >= 0, got \(epochs)") }
    if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be >= 1, got \(batchSize)") }
    try validateAdapter()
    if let learningRate, !(learningRate.isFinite && learningRate > 0) {
      throw ValidationError("--learning-rate must be a positive number, got \(learningRate)")
    }
    if let batch = loss.batch {
      try batch.validate(batchOptions, target: target, margin: margin, reduction: nil)
    } else {
      if let margin, !(margin.isFinite && margin >= -1 && margin <= 1) {
        throw ValidationError("--margin must be in [-1, 1], got \(margin)")
      }
      if batchOptions.anyGiven {
        throw ValidationError(
          "--negatives, --scale, --directions, --hardness-* and --matryoshka-* apply only to the batch losses")
      }
    }
    try checkTowerSize(layers: layers.description, sizes: layers.sizes, inputs: [1], batch: 1)
  }

  /// The row-wise loss of `--loss` (the batch kinds train with the cosine-distance kind's
  /// bookkeeping and their own batch loss).
  func lossKind() -> CosineLoss.Kind { loss.rowKind(margin: margin) ?? .cosineDistance() }

  func run() throws {
    if encoderOptions.encoder != nil { return try runEncoder() }
    let (left, right) = (self.left!, self.right!)  // validate() requires both without --encoder
    try OutputPlan.declare(["-o": output], inputs: [left, right, target, batchOptions.negatives])
    let batch = loss.batch
    let kind = lossKind()
    let settings = trainingSettings
    warnIfAdapterDefaultsDoNotFit()
    do {
      let l = try readMatrix(left, what: "left rows")
      let r = try readMatrix(right, what: "right rows")
      guard l.shape[0] == r.shape[0] else {
        throw CosineError.invalidArgument(
          "\(left) has \(l.shape[0]) rows but \(right) has \(r.shape[0]); rows must pair up")
      }
      if shared && l.shape[1] != r.shape[1] {
        throw CosineError.invalidArgument(
          "--shared needs rows of equal width, got \(l.shape[1]) (\(left)) and \(r.shape[1]) (\(right))")
      }
      var t: Tensor<Float>?
      if let target {
        let v = try finiteFloats(NPY.read(contentsOf: target), target) { "pair \($0)" }
        guard v.rank == 1 || (v.rank == 2 && v.shape[1] == 1), v.count == l.shape[0] else {
          throw CosineError.invalidArgument(
            "\(target): targets must be a vector of \(l.shape[0]) values (one per pair), got \(Shape.describe(v.shape))"
          )
        }
        t = v.reshaped([v.count])
        try checkTargets(t!, target, for: kind)
        if let batch {
          do { try batch.checkLabels(v.scalars.map(Double.init)) } catch let e as CosineError {
            throw CLIError("\(target): \(e)")
          }
        }
      }
      if let batch {
        if batch.labels != nil && t == nil {
          throw CosineError.invalidArgument("the \(loss.rawValue) loss needs --target")
        }
      } else if kind.needsTarget && t == nil {
        throw CosineError.invalidArgument("the \(kind.name) loss needs --target (one value per pair)")
      }
      if batch == nil && !kind.needsTarget && t != nil {
        throw CosineError.invalidArgument(
          "the \(kind.name) loss takes no target; drop --target or use --loss embedding or mse")
      }

      let sizes = try adapter ? [adapterWidth(l.shape[1], r.shape[1])] : layers.sizes
      try checkTowerSize(
        layers: adapter ? "adapter" : layers.description, sizes: sizes,
        inputs: shared ? [l.shape[1]] : [l.shape[1], r.shape[1]],
        batch: min(settings.batchSize, l.shape[0]))
      let act = activation
      var generator = SeededGenerator(seed: seed)
      func tower(_ input: Int) -> Sequential<Float> {
        .multilayerPerceptron(
          sizes: [input] + sizes, activation: act, finalActivation: .linear, normalizeOutput: normalize,
          generator: &generator)
      }
      let leftTower = tower(l.shape[1])
      var model =
        try adapter
        ? AdapterTraining.identityModel(width: l.shape[1], rank: rank, shared: shared, generator: &generator)
        : TwoTowerModel(left: leftTower, right: shared ? nil : tower(r.shape[1]))
      var trainer = PairTrainer(
        loss: CosineLoss(kind), epochs: settings.epochs, batchSize: settings.batchSize,
        learningRate: settings.learningRate, seed: seed &+ 1)
      var negatives: Tensor<Float>?
      if let batch {
        trainer.batchLoss = try batch.makeLoss(batchOptions, margin: margin, reduction: .mean)
        negatives = try batchOptions.negatives.map { try readNegatives($0, pairs: l.shape[0], width: r.shape[1]) }
      }
      let lossName = batch.map(\.rawValue) ?? kind.name
      print(
        "pairs: \(l.shape[0]); towers \(([l.shape[1]] + sizes).map(String.init).joined(separator: " → "))"
          + (shared ? " (shared)" : ", \(([r.shape[1]] + sizes).map(String.init).joined(separator: " → "))")
          + "; loss \(lossName)")
      flushOutput()
      let epochs = settings.epochs
      let width = String(epochs).count
      func report(_ e: PairTrainer.Epoch) {
        let n = String(e.number)
        print("epoch \(String(repeating: " ", count: width - n.count))\(n)/\(epochs)  loss \(format(e.loss, 4))")
        flushOutput()
      }
      let losses: [Double]
      if let scheduled = settings.scheduledOptimizer(pairs: l.shape[0]) {
        var optimizer = scheduled
        losses = try trainer.train(
          &model, left: l, right: r, target: t, negatives: negatives, optimizer: &optimizer, progress: report)
      } else {
        losses = try trainer.train(&model, left: l, right: r, target: t, negatives: negatives, progress: report)
      }
      let metadata = [
        "loss": lossName, "trained-by": "cosine train", "epochs": String(epochs), "seed": String(seed),
        "final-loss": losses.last.map { String($0) } ?? "",
      ]
      let file =
        shared
        ? ModelFile(["tower": model.left], metadata: metadata)
        : ModelFile(["left": model.left, "right": model.right!], metadata: metadata)
      var out = Outputs()
      out.add(bytes: try file.encoded(), to: output)
      try out.commit()
      print("saved: \(output) (\(shared ? "tower 'tower'" : "towers 'left' and 'right'"))")
    } catch let e as CLIError {
      throw e
    } catch {
      throw fail("train", describe(error))
    }
  }
}

/// Reads hard negatives for `cosine train`: `[n, d']` or `[k, n, d']` finite values, as Float.
func readNegatives(_ path: String, pairs n: Int, width w: Int) throws -> Tensor<Float> {
  let t = try NPY.read(contentsOf: path).converted(to: Float.self)
  guard (t.rank == 2 && t.shape == [n, w]) || (t.rank == 3 && t.shape[1] == n && t.shape[2] == w && t.shape[0] >= 1)
  else {
    throw CosineError.invalidArgument(
      "\(path): negatives must be [\(n), \(w)] or [k, \(n), \(w)] (one row per pair, right rows' width), got \(Shape.describe(t.shape))"
    )
  }
  if let i = firstNonFiniteIndex(t) { throw CosineError.invalidArgument("\(path): negative value \(i) is not finite") }
  return t
}

/// Reads an .npy matrix of finite values as Float.
func readMatrix(_ path: String, what: String) throws -> Tensor<Float> {
  let raw = try NPY.read(contentsOf: path)
  guard raw.shape.count == 2 else {
    throw CosineError.invalidArgument(
      "\(path): \(what) must be a matrix [n, d], got shape \(Shape.describe(raw.shape))")
  }
  let t = try finiteFloats(raw, path) { "row \($0 / max(1, raw.shape[1])), column \($0 % max(1, raw.shape[1]))" }
  guard t.rank == 2 else {
    throw CosineError.invalidArgument("\(path): \(what) must be a matrix [n, d], got shape \(Shape.describe(t.shape))")
  }
  guard t.shape[0] >= 1, t.shape[1] >= 1 else {
    throw CosineError.invalidArgument("\(path): \(what) are empty (shape \(Shape.describe(t.shape)))")
  }
  return t
}
