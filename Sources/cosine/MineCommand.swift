import ArgumentParser
import CosineKit

struct MineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mine",
    abstract: "Near-duplicate mining: the most similar pairs of rows (sentence-transformers paraphrase mining).",
    discussion: """
      Every row's K nearest other rows give candidate pairs i < j; their union is sorted by \
      descending cosine similarity (ties: lower i, then lower j) and cut to --max-pairs. With \
      --threshold only pairs scoring at least T are kept. Pairs go to --pairs (int64 [P, 2]) and \
      scores to --scores ([P], the input's float type) and, when neither is given or --format is, \
      to standard output.
      """
  )

  @Argument(help: ArgumentHelp("Rows [N, D].", valueName: "X.npy")) var input: String
  @Option(
    name: [.customShort("k"), .customLong("top-k")], parsing: .unconditional,
    help: "Neighbors per row (>= 1; above N - 1: all other rows).")
  var topK = 100
  @Option(parsing: .unconditional, help: "Keep only pairs scoring at least this (in [-1, 1]).") var threshold: Double?
  @Option(name: .customLong("max-pairs"), parsing: .unconditional, help: "At most this many pairs (>= 0).")
  var maxPairs = 500_000
  @Option(help: ArgumentHelp("Write the pairs [P, 2] as int64.", valueName: "PAIRS.npy")) var pairs: String?
  @Option(help: ArgumentHelp("Write the scores [P].", valueName: "S.npy")) var scores: String?
  @Option(
    help: ArgumentHelp(
      "Standard output: table, json (one line per pair: {\"first\": i, \"second\": j, \"score\": s}) or tsv (first, second, score).",
      valueName: "format")) var format: SearchCommand.Format?
  @Flag(help: "No progress bar on standard error.") var quiet = false
  @Flag(help: "Accept inputs containing NaN or infinity.") var allowNonfinite = false

  func validate() throws {
    guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
    guard maxPairs >= 0 else { throw ValidationError("--max-pairs must be at least 0, got \(maxPairs)") }
    if let threshold, !(threshold >= -1 && threshold <= 1) {
      throw ValidationError("--threshold must be in [-1, 1], got \(threshold)")
    }
  }

  func run() throws {
    try OutputPlan.declare(["--pairs": pairs, "--scores": scores], inputs: [input])
    let x = try InputPolicy(allowNonfinite: allowNonfinite).load(input, as: "X")
    try ComputeType(x).dispatch(Job(command: self, x: x))
  }

  struct Job: TypedJob {
    let command: MineCommand
    let x: AnyTensor

    func run<T: TensorScalar>(_: T.Type) throws {
      let c = command
      let bar = ProgressBar(enabled: !c.quiet)
      defer { bar.finish() }
      let found = try naming([c.input]) {
        try paraphraseMining(
          x.converted(to: T.self), topK: c.topK, maxPairs: c.maxPairs, threshold: c.threshold,
          progress: { p in bar.update(p.fractionCompleted, "searching") })
      }
      bar.finish()
      var out = Outputs()
      let flat = found.flatMap { [Double($0.first), Double($0.second)] }
      out.addIndices(try Tensor(shape: [found.count, 2], scalars: flat), to: c.pairs)
      out.add(AnyTensor(try Tensor(shape: [found.count], scalars: found.map(\.score))), to: c.scores)
      try out.commit()
      if c.format != nil || (c.pairs == nil && c.scores == nil) { Self.print(found, style: c.format ?? .table) }
    }

    static func print<T: TensorScalar>(_ found: [CosineScoredPair<T>], style: SearchCommand.Format) {
      var text = ""
      if style == .tsv { text += "first\tsecond\tscore\n" }
      if style == .table { text += found.isEmpty ? "(no pairs)\n" : "rank\tfirst\tsecond\tscore\n" }
      for (r, p) in found.enumerated() {
        switch style {
        case .table: text += "\(r + 1)\t\(p.first)\t\(p.second)\t\(cosine.format(p.score))\n"
        case .json:
          text += "{\"first\": \(p.first), \"second\": \(p.second), \"score\": \(SearchOutput.json(p.score))}\n"
        case .tsv: text += "\(p.first)\t\(p.second)\t\(cosine.format(p.score))\n"
        }
        if text.utf8.count > 1 << 16 {
          Swift.print(text, terminator: "")
          text = ""
        }
      }
      Swift.print(text, terminator: "")
    }
  }
}
