import ArgumentParser
import CosineKit

struct OutliersCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "outliers",
    abstract: "KNN outlier scores with cosine distance (PyOD KNN, metric cosine).",
    discussion: """
      The score of a row is the distance 1 - cos to its K-th nearest other row (largest) or the \
      mean distance to its K nearest other rows (mean); higher is more anomalous. Scores [N] go \
      to --scores; --top N prints the N highest (ties: lower row first). With neither, every \
      score is printed, one per line.
      """
  )

  enum Method: String, ExpressibleByArgument, CaseIterable {
    case largest, mean
  }

  @Argument(help: ArgumentHelp("Rows [N, D].", valueName: "X.npy")) var input: String
  @Option(parsing: .unconditional, help: "K, the neighbors of each row (1 ... N - 1).") var neighbors = 5
  @Option(help: "largest (distance to the K-th neighbor) or mean (over the K).") var method: Method = .largest
  @Option(help: ArgumentHelp("Write the scores [N].", valueName: "S.npy")) var scores: String?
  @Option(parsing: .unconditional, help: "Print the N highest scores (row, score).") var top: Int?
  @Flag(help: "No progress bar on standard error.") var quiet = false
  @Flag(help: "Accept inputs containing NaN or infinity.") var allowNonfinite = false

  func validate() throws {
    guard neighbors >= 1 else { throw ValidationError("--neighbors must be at least 1, got \(neighbors)") }
    if let top, top < 0 { throw ValidationError("--top must be at least 0, got \(top)") }
  }

  func run() throws {
    try OutputPlan.declare(["--scores": scores], inputs: [input])
    let x = try InputPolicy(allowNonfinite: allowNonfinite).load(input, as: "X")
    try ComputeType(x).dispatch(Job(command: self, x: x))
  }

  struct Job: TypedJob {
    let command: OutliersCommand
    let x: AnyTensor

    func run<T: TensorScalar>(_: T.Type) throws {
      let c = command
      let bar = ProgressBar(enabled: !c.quiet)
      defer { bar.finish() }
      let method: KNNOutlierMethod = c.method == .mean ? .mean : .largest
      let s = try naming([c.input]) {
        try knnOutlierScores(
          x.converted(to: T.self), neighbors: c.neighbors, method: method,
          progress: { p in bar.update(p.fractionCompleted, "searching") })
      }
      bar.finish()
      var out = Outputs()
      out.add(AnyTensor(s), to: c.scores)
      try out.commit()
      if let top = c.top {
        let v = s.scalars
        let order = v.indices.sorted { a, b in
          if v[a].isNaN != v[b].isNaN { return v[b].isNaN }
          return !v[a].isNaN && v[a] != v[b] ? v[a] > v[b] : a < b
        }
        var text = "rank\trow\tscore\n"
        for (r, i) in order.prefix(top).enumerated() { text += "\(r + 1)\t\(i)\t\(format(v[i]))\n" }
        print(text, terminator: "")
      } else if c.scores == nil {
        print(s.scalars.map { format($0) }.joined(separator: "\n"))
      }
    }
  }
}
