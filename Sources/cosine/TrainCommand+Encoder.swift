import ArgumentParser
import CosineEncoders
import CosineKit
import Foundation

/// The options of `cosine train --encoder DIR`.
struct EncoderTrainingOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Fine-tune this sentence-transformers model directory.", valueName: "DIR"))
  var encoder: String?

  @Option(help: ArgumentHelp("The training texts, JSON lines (see the discussion).", valueName: "PAIRS.jsonl"))
  var pairs: String?

  @Option(help: "With --encoder: the fraction of the steps of linear warm-up. (default: 0.1)")
  var warmupRatio: Double?

  @Option(help: "With --encoder: the most tokens per text. (default: the model's max_seq_length)")
  var maxLength: Int?

  @Option(
    help: ArgumentHelp(
      "With --encoder: held-out pairs ({\"anchor\", \"positive\"} lines) measured before training and after each epoch: recall@1 and MRR@10 of each anchor among the positives.",
      valueName: "DEV.jsonl"))
  var evalPairs: String?

  @Option(
    help:
      "With --encoder: embed M texts at a time with a gradient cache (GradCache), so large batches fit in memory.")
  var miniBatchSize: Int?

  @Option(help: "With --encoder: write a checkpoint every N steps into OUT_DIR/checkpoint-STEP (the latest kept).")
  var checkpointEvery: Int?

  @Option(help: ArgumentHelp("With --encoder: continue the run saved in this checkpoint.", valueName: "CKPT_DIR"))
  var resume: String?

  /// The first encoder-only option given, for the error of a tower run.
  var givenOption: String? {
    if pairs != nil { return "--pairs" }
    if warmupRatio != nil { return "--warmup-ratio" }
    if maxLength != nil { return "--max-length" }
    if checkpointEvery != nil { return "--checkpoint-every" }
    if miniBatchSize != nil { return "--mini-batch-size" }
    if evalPairs != nil { return "--eval-pairs" }
    if resume != nil { return "--resume" }
    return nil
  }
}

/// `cosine train --encoder DIR --pairs PAIRS.jsonl -o OUT_DIR`: fine-tunes a sentence encoder
/// (``EncoderTrainer``).
extension TrainCommand {
  func validateEncoderMode() throws {
    let o = encoderOptions
    if left != nil || right != nil {
      throw ValidationError("--encoder trains on --pairs PAIRS.jsonl; LEFT.npy and RIGHT.npy apply only without it")
    }
    guard o.pairs != nil else { throw ValidationError("--encoder needs --pairs PAIRS.jsonl") }
    guard outputOption != nil else { throw ValidationError("--encoder needs -o OUT_DIR (the fine-tuned model)") }
    for (given, name) in [
      (target != nil, "--target (scores come from the pairs' \"score\" field)"),
      (batchOptions.negatives != nil, "--negatives (negatives come from the pairs' \"negative\" field)"),
      (normalize, "--normalize"), (shared, "--shared"), (adapter, "--adapter"), (rank != nil, "--rank"),
      (schedule != nil, "--schedule (the schedule is linear warm-up and decay; see --warmup-ratio)"),
    ] where given {
      throw ValidationError("\(name) does not apply with --encoder")
    }
    switch loss {
    case .batch(let kind):
      // Labels and negatives come from the pairs' fields (checked when they are read).
      var given = batchOptions
      if kind.negatives == .onePerAnchor { given.negatives = "PAIRS.jsonl" }
      try kind.validate(given, target: kind.labels != nil ? "PAIRS.jsonl" : nil, margin: margin, reduction: nil)
    case .row:
      if batchOptions.anyGiven {
        throw ValidationError("--scale, --directions, --hardness-* and --matryoshka-* apply only to the batch losses")
      }
      if let margin, !(margin.isFinite && margin >= -1 && margin <= 1) {
        throw ValidationError("--margin must be in [-1, 1], got \(margin)")
      }
    }
    if let epochs, epochs < 0 { throw ValidationError("--epochs must be >= 0, got \(epochs)") }
    if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be >= 1, got \(batchSize)") }
    if let learningRate, !(learningRate.isFinite && learningRate > 0) {
      throw ValidationError("--learning-rate must be a positive number, got \(learningRate)")
    }
    if let r = o.warmupRatio, !(r >= 0 && r <= 1) {
      throw ValidationError("--warmup-ratio must be in [0, 1], got \(r)")
    }
    if let n = o.checkpointEvery, n < 1 { throw ValidationError("--checkpoint-every must be >= 1, got \(n)") }
    if let m = o.miniBatchSize, m < 1 { throw ValidationError("--mini-batch-size must be >= 1, got \(m)") }
  }

  func runEncoder() throws {
    let o = encoderOptions
    let source = o.encoder!
    let out = outputOption!
    for input in [source, o.resume].compactMap({ $0 }) where FileIdentity(input).overlaps(FileIdentity(out)) {
      throw fail("train", "-o \(out) is the model directory \(input); write the fine-tuned model elsewhere")
    }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
      throw fail("train", "-o \(out) is a file; the fine-tuned model is a directory (give a new or existing directory)")
    }
    // The source is only read when saving: check its files now, without loading its weights.
    if o.resume != nil { _ = try loadTokenizer(source, command: "train", option: "--encoder") }
    let encoder = try loadEncoder(
      o.resume ?? source, command: "train", option: o.resume != nil ? "--resume" : "--encoder")
    try validateMaxLength(o.maxLength, encoder, command: "train")
    let examples: TrainingExamples
    do { examples = try TrainingExamples.read(contentsOf: o.pairs!) } catch { throw fail("train", describe(error)) }
    let dev = try o.evalPairs.map { path -> TrainingExamples in
      let e: TrainingExamples
      do { e = try TrainingExamples.read(contentsOf: path) } catch { throw fail("train", describe(error)) }
      guard e.scores == nil else {
        throw fail("train", "\(path): --eval-pairs takes {\"anchor\", \"positive\"} lines (each anchor's match)")
      }
      return e
    }
    let batchLoss: any BatchCosineLoss
    switch loss {
    case .batch(let kind):
      try check(examples, for: kind, path: o.pairs!)
      batchLoss = try kind.makeLoss(batchOptions, margin: margin, reduction: .mean)
    case .row:
      let kind = lossKind()
      try check(examples, for: kind, path: o.pairs!)
      batchLoss = PairwiseBatchLoss(CosineLoss(kind))
    }
    var options = FineTuningOptions()
    options.epochs = epochs ?? 1
    options.batchSize = batchSize ?? 32
    options.learningRate = learningRate ?? 2e-5
    options.warmupRatio = o.warmupRatio ?? 0.1
    options.maxLength = o.maxLength
    options.seed = seed
    options.miniBatchSize = o.miniBatchSize
    let name = loss.rawValue
    var trainer: EncoderTrainer
    var csv = "step,epoch,loss,learning_rate,grad_norm,texts_per_second,forward_s,backward_s,update_s\n"
    do {
      if let resume = o.resume {
        let url = URL(fileURLWithPath: resume)
        trainer = try EncoderTrainer(resumingFrom: url, encoder: encoder, loss: batchLoss, options: options) {
          $0.checkpointState(examples: examples.count, lossName: name)
        }
        if let saved = try? String(contentsOf: url.appendingPathComponent("loss.csv"), encoding: .utf8) { csv = saved }
      } else {
        trainer = try EncoderTrainer(encoder: encoder, loss: batchLoss, options: options)
      }
    } catch {
      throw fail("train", describe(error))
    }
    let total = trainer.batches(for: examples).reduce(0) { $0 + $1.count }
    let c = encoder.model.bert.configuration
    print(
      "examples: \(examples.count); encoder \(source) (\(c.layerCount) layers, \(c.hiddenSize) wide); loss \(name); "
        + "\(total) steps (warm-up \(trainer.warmupSteps(totalSteps: total)))"
        + (trainer.stepsTaken > 0 ? "; resuming after step \(trainer.stepsTaken)" : ""))
    flushOutput()
    let outURL = URL(fileURLWithPath: out)
    let sourceURL = URL(fileURLWithPath: source)
    var evaluation = "step,epoch,recall@1,mrr@10\n"
    func evaluate(_ e: SentenceEncoder, step: Int, epoch: Int) throws {
      guard let dev else { return }
      let m = try Self.devMetrics(dev, e, maxLength: o.maxLength)
      evaluation += "\(step),\(epoch),\(m.recall[1] ?? 0),\(m.mrr[10] ?? 0)\n"
      print(
        "\(epoch == 0 ? "before training" : "epoch \(epoch)"): \(dev.count) held-out pairs, recall@1 "
          + "\(format(m.recall[1] ?? 0, 4)), MRR@10 \(format(m.mrr[10] ?? 0, 4))")
      flushOutput()
    }
    if trainer.stepsTaken == 0 { try evaluate(trainer.encoder, step: 0, epoch: 0) }
    let bar = ProgressBar(enabled: true)
    var last: FineTuningStep?
    var texts = 0
    var seconds = 0.0
    do {
      try trainer.train(examples) { step, current in
        last = step
        texts += step.texts
        seconds += step.seconds
        csv +=
          "\(step.step),\(step.epoch),\(step.loss),\(step.learningRate),\(step.gradientNorm),"
          + "\(format(Double(step.texts) / max(step.seconds, 1e-9), 1)),\(format(step.forwardSeconds, 4)),"
          + "\(format(step.backwardSeconds, 4)),\(format(step.updateSeconds, 4))\n"
        bar.update(
          Double(step.step) / Double(max(1, total)),
          "step \(step.step)/\(total) loss \(format(step.loss, 4)) \(format(Double(texts) / max(seconds, 1e-9), 1)) texts/s"
        )
        if step.endsEpoch, dev != nil {
          bar.finish()
          try evaluate(current.encoder, step: step.step, epoch: step.epoch)
        }
        if let every = o.checkpointEvery, step.step % every == 0, step.step < total {
          try writeCheckpoint(current, step: step.step, into: outURL, source: sourceURL, csv: csv, examples: examples)
        }
      }
      bar.finish()
      var files = ["loss.csv": Data(csv.utf8)]
      if dev != nil { files["eval.csv"] = Data(evaluation.utf8) }
      try trainer.save(to: outURL, source: sourceURL, extra: files)
    } catch {
      bar.finish()
      throw fail("train", describe(error))
    }
    if let last {
      print(
        "trained \(last.step) steps; last loss \(format(last.loss, 4)); "
          + "\(format(Double(texts) / max(seconds, 1e-9), 1)) texts/s; tokenizing took "
          + "\(format(trainer.tokenizationSeconds, 2)) s")
    }
    print(
      "saved: \(out) (model for SentenceTransformer and cosine embed-text; loss.csv\(dev != nil ? "; eval.csv" : ""))")
  }

  /// recall@1 and MRR@10 of each anchor of `dev` among all its positives, embedded by `encoder`.
  static func devMetrics(_ dev: TrainingExamples, _ encoder: SentenceEncoder, maxLength: Int?) throws
    -> RetrievalMetrics
  {
    do {
      let q = try encoder.encode(dev.anchors, maxLength: maxLength)
      let d = try encoder.encode(dev.positives, maxLength: maxLength)
      return try RetrievalMetrics(queries: q, index: CosineIndex(d))
    } catch {
      throw fail("train", describe(error))
    }
  }

  /// Writes `OUT/checkpoint-STEP` and then removes the older checkpoints there.
  private func writeCheckpoint(
    _ trainer: EncoderTrainer, step: Int, into out: URL, source: URL, csv: String, examples: TrainingExamples
  ) throws {
    let fm = FileManager.default
    try? fm.createDirectory(at: out, withIntermediateDirectories: true)
    let name = "checkpoint-\(step)"
    try trainer.saveCheckpoint(
      to: out.appendingPathComponent(name), source: source,
      state: trainer.checkpointState(examples: examples.count, lossName: loss.rawValue),
      extra: ["loss.csv": Data(csv.utf8)])
    for old in (try? fm.contentsOfDirectory(atPath: out.path)) ?? [] where old.hasPrefix("checkpoint-") && old != name {
      try? fm.removeItem(at: out.appendingPathComponent(old))
    }
  }

  /// Checks that the examples carry what the loss takes: scores for the labelled losses (in
  /// their range), a negative for triplet, no negatives for the losses without them.
  private func check(_ examples: TrainingExamples, for kind: BatchLossKind, path: String) throws {
    if kind.labels != nil {
      guard let scores = examples.scores else {
        throw fail("train", "\(path): the \(kind.rawValue) loss needs {\"sentence1\", \"sentence2\", \"score\"} lines")
      }
      do { try kind.checkLabels(scores) } catch { throw fail("train", "\(path): \(describe(error))") }
    } else if examples.scores != nil {
      throw fail("train", "\(path): the \(kind.rawValue) loss takes {\"anchor\", \"positive\"} lines, not scores")
    }
    switch kind.negatives {
    case .none where examples.negatives != nil:
      throw fail("train", "\(path): the \(kind.rawValue) loss takes no \"negative\" field")
    case .onePerAnchor where examples.negatives == nil:
      throw fail("train", "\(path): the \(kind.rawValue) loss needs a \"negative\" field on every line")
    default: break
    }
  }

  /// Checks that the examples carry what a pairwise loss takes: scores (±1 for embedding, in
  /// [0, 1] for mse) for the kinds with a target, none for the others, and no negatives.
  private func check(_ examples: TrainingExamples, for kind: CosineLoss.Kind, path: String) throws {
    let name = loss.rawValue
    if examples.negatives != nil { throw fail("train", "\(path): the \(name) loss takes no \"negative\" field") }
    if kind.needsTarget {
      guard let scores = examples.scores else {
        throw fail("train", "\(path): the \(name) loss needs {\"sentence1\", \"sentence2\", \"score\"} lines")
      }
      do { try checkTargets(Tensor(scores.map { Float($0) }), path, for: kind) } catch {
        throw fail("train", describe(error))
      }
    } else if examples.scores != nil {
      throw fail("train", "\(path): the \(name) loss takes {\"anchor\", \"positive\"} lines, not scores")
    }
  }

}
