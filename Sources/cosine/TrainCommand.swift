import ArgumentParser
import CosineKit

/// `cosine train`: fits two towers (or one shared tower) so that the cosine similarity of the
/// embeddings of paired rows follows a cosine loss — the embedding-adapter workflow.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train two towers on paired rows with a cosine loss and save them.",
    discussion: """
      LEFT and RIGHT are .npy matrices with one row per pair ([n, d] and [n, d']). The left tower \
      embeds LEFT rows and the right tower RIGHT rows (one tower for both with --shared). \
      The embedding loss needs --target with 1 (similar) or -1 (dissimilar) per pair; mse needs \
      --target with a label in [0, 1] per pair; keras and cosine-distance pull every pair together \
      and take no target. Apply a saved tower with `cosine embed`.
      """
  )

  @Argument(help: "Left rows, an .npy matrix [n, d].")
  var left: String

  @Argument(help: "Right rows, an .npy matrix [n, d'].")
  var right: String

  @Option(help: "Per-pair targets or labels, an .npy vector [n].")
  var target: String?

  @Option(help: "The loss: keras, cosine-distance, embedding or mse.")
  var loss: String = "cosine-distance"

  @Option(help: "The margin of the embedding loss.")
  var margin: Double = 0

  @Option(help: "Layer sizes after the input, comma-separated; the last is the embedding width.")
  var layers: String = "64,32"

  @Option(help: "Activation of the hidden layers: relu, tanh or linear.")
  var activation: String = "tanh"

  @Flag(help: "L2-normalize the embeddings (the towers end with an L2 normalization).")
  var normalize = false

  @Flag(help: "One tower embeds both sides (Siamese); needs d = d'.")
  var shared = false

  @Option(help: "Passes over the pairs.")
  var epochs: Int = 20

  @Option(name: .customLong("batch-size"), help: "Pairs per optimizer step.")
  var batchSize: Int = 64

  @Option(name: .customLong("learning-rate"), help: "Adam's learning rate.")
  var learningRate: Double = 1e-3

  @Option(help: "Seed of the initialization and of the order of the pairs.")
  var seed: UInt64 = 0

  @Option(name: [.short, .customLong("output")], help: "Where the trained model is saved (JSON).")
  var output: String = "model.json"

  func validate() throws {
    guard epochs >= 0 else { throw ValidationError("--epochs must be >= 0, got \(epochs)") }
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be >= 1, got \(batchSize)") }
    guard learningRate.isFinite, learningRate > 0 else {
      throw ValidationError("--learning-rate must be a positive number, got \(learningRate)")
    }
    guard margin.isFinite, margin >= -1, margin <= 1 else {
      throw ValidationError("--margin must be in [-1, 1], got \(margin)")
    }
    _ = try lossKind()
    _ = try layerSizes()
    guard Activation(name: activation) != nil else {
      throw ValidationError("--activation must be relu, tanh or linear, got '\(activation)'")
    }
  }

  func lossKind() throws -> CosineLoss.Kind {
    switch loss {
    case "keras": return .keras
    case "cosine-distance": return .cosineDistance()
    case "embedding": return .embedding(margin: margin)
    case "mse": return .mse()
    default: throw ValidationError("--loss must be keras, cosine-distance, embedding or mse, got '\(loss)'")
    }
  }

  func layerSizes() throws -> [Int] {
    let parts = layers.split(separator: ",", omittingEmptySubsequences: false)
    let sizes = parts.map { Int($0.trimmingPrefix(" ")) }
    guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) >= 1 }) else {
      throw ValidationError("--layers must be positive integers separated by commas (e.g. 64,32), got '\(layers)'")
    }
    try checkTowerSize(layers: layers, sizes: sizes.map { $0! }, inputs: [1], batch: 1)
    return sizes.map { $0! }
  }

  func run() throws {
    try OutputPlan.declare(["-o": output], inputs: [left, right, target])
    let kind = try lossKind()
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
      }
      if kind.needsTarget && t == nil {
        throw CosineError.invalidArgument("the \(kind.name) loss needs --target (one value per pair)")
      }
      if !kind.needsTarget && t != nil {
        throw CosineError.invalidArgument(
          "the \(kind.name) loss takes no target; drop --target or use --loss embedding or mse")
      }

      let sizes = try layerSizes()
      try checkTowerSize(
        layers: layers, sizes: sizes, inputs: shared ? [l.shape[1]] : [l.shape[1], r.shape[1]],
        batch: min(batchSize, l.shape[0]))
      let act = Activation(name: activation)!
      var generator = SeededGenerator(seed: seed)
      func tower(_ input: Int) -> Sequential<Float> {
        .multilayerPerceptron(
          sizes: [input] + sizes, activation: act, finalActivation: .linear, normalizeOutput: normalize,
          generator: &generator)
      }
      let leftTower = tower(l.shape[1])
      var model = TwoTowerModel(left: leftTower, right: shared ? nil : tower(r.shape[1]))
      let trainer = PairTrainer(
        loss: CosineLoss(kind), epochs: epochs, batchSize: batchSize, learningRate: learningRate, seed: seed &+ 1)
      print(
        "pairs: \(l.shape[0]); towers \(([l.shape[1]] + sizes).map(String.init).joined(separator: " → "))"
          + (shared ? " (shared)" : ", \(([r.shape[1]] + sizes).map(String.init).joined(separator: " → "))")
          + "; loss \(kind.name)")
      flushOutput()
      let width = String(epochs).count
      let losses = try trainer.train(&model, left: l, right: r, target: t) { e in
        let n = String(e.number)
        print("epoch \(String(repeating: " ", count: width - n.count))\(n)/\(epochs)  loss \(format(e.loss, 4))")
        flushOutput()
      }
      let metadata = [
        "loss": kind.name, "trained-by": "cosine train", "epochs": String(epochs), "seed": String(seed),
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
