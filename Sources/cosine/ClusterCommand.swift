import ArgumentParser
import CosineKit

struct ClusterCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract: "Spherical k-means (--k) or community detection (--threshold) of the rows.",
    discussion: """
      --k K: spherical k-means (FAISS Kmeans(spherical=True)) with k-means++ initialization on \
      the cosine distance, seeded by --seed; prints the objective (mean cosine of the rows to \
      their centroids) of every iteration. --labels gets int64 [N], --centroids [K, D]. \
      --threshold T: sentence-transformers community detection (rows within T of a center, \
      communities of at least --min-size rows, largest first, no overlaps); --labels gets each \
      row's community or -1.
      """
  )

  @Argument(help: ArgumentHelp("Rows [N, D].", valueName: "X.npy")) var input: String
  @Option(parsing: .unconditional, help: "Spherical k-means with K clusters (1 ... N).") var k: Int?
  @Option(parsing: .unconditional, help: "k-means iterations (>= 0).") var iterations = 20
  @Option(parsing: .unconditional, help: "k-means++ seed.") var seed: UInt64 = 0
  @Option(
    name: .customLong("train-sample"), parsing: .unconditional,
    help:
      "k-means trains on a seeded sample of this many rows when N is larger (default 256·K, as FAISS; 0: every row).")
  var trainSample: Int?
  @Option(help: ArgumentHelp("Write the centroids [K, D] (with --k).", valueName: "C.npy")) var centroids: String?
  @Option(parsing: .unconditional, help: "Community detection: the smallest cosine within a community, in [-1, 1].")
  var threshold: Double?
  @Option(name: .customLong("min-size"), parsing: .unconditional, help: "The smallest community (>= 1).")
  var minSize = 10
  @Option(help: ArgumentHelp("Write each row's cluster or community (-1: none) as int64 [N].", valueName: "L.npy"))
  var labels: String?
  @Flag(help: "No progress bar on standard error.") var quiet = false
  @Flag(help: "Accept inputs containing NaN or infinity (community detection only).") var allowNonfinite = false

  func validate() throws {
    switch (k, threshold) {
    case (nil, nil): throw ValidationError("one of --k (k-means) or --threshold (community detection) is needed")
    case (.some, .some): throw ValidationError("--k and --threshold cannot be used together")
    case (let k?, nil):
      guard k >= 1 else { throw ValidationError("--k must be at least 1, got \(k)") }
      guard iterations >= 0 else { throw ValidationError("--iterations must be at least 0, got \(iterations)") }
      if let t = trainSample, t < 0 {
        throw ValidationError("--train-sample must be at least 0 (0: every row), got \(t)")
      }
    case (nil, let t?):
      if trainSample != nil { throw ValidationError("--train-sample needs --k") }
      guard t >= -1, t <= 1 else { throw ValidationError("--threshold must be in [-1, 1], got \(t)") }
      guard minSize >= 1 else { throw ValidationError("--min-size must be at least 1, got \(minSize)") }
      if centroids != nil { throw ValidationError("--centroids needs --k") }
    }
  }

  func run() throws {
    try OutputPlan.declare(["--labels": labels, "--centroids": centroids], inputs: [input])
    let x = try InputPolicy(allowNonfinite: allowNonfinite).load(input, as: "X")
    try ComputeType(x).dispatch(Job(command: self, x: x))
  }

  struct Job: TypedJob {
    let command: ClusterCommand
    let x: AnyTensor

    func run<T: TensorScalar>(_: T.Type) throws {
      let c = command
      let bar = ProgressBar(enabled: !c.quiet)
      defer { bar.finish() }
      let t = x.converted(to: T.self)
      var out = Outputs()
      if let k = c.k {
        let config = SphericalKMeans(
          clusters: k, iterations: c.iterations, seed: c.seed, trainingSampleSize: c.trainSample)
        let r = try naming([c.input]) {
          try config.fit(t) { p in
            bar.update(
              p.stage == "initialization" ? 0.1 * p.fractionCompleted : 0.1 + 0.9 * p.fractionCompleted, p.stage)
          }
        }
        bar.finish()
        out.addIndices(Tensor(r.labels.map { Double($0) }), to: c.labels)
        out.add(AnyTensor(r.centroids), to: c.centroids)
        try out.commit()
        var text = ""
        if let sample = config.trainingRows(r.labels.count) {
          Notes.add(
            "k-means trained on a seeded sample of \(sample.count) of the \(r.labels.count) rows, as FAISS does "
              + "(the iterations' objectives are the sample's, the final one every row's; --train-sample 0: every row)")
        }
        for (i, o) in r.objectives.enumerated() { text += "iteration \(i + 1): objective \(o)\n" }
        if r.converged { text += "converged at iteration \(r.iterationsRun): no assignment changed\n" }
        text += "final: objective \(r.objective)\n"
        print(text, terminator: "")
      } else if let threshold = c.threshold {
        let n = t.rank == 1 ? 1 : (t.shape.first ?? 0)
        let communities = try naming([c.input]) {
          try communityDetection(t, threshold: threshold, minCommunitySize: c.minSize) { p in
            bar.update(p.fractionCompleted, "scoring")
          }
        }
        bar.finish()
        let l = communityLabels(communities, rowCount: n)
        out.addIndices(Tensor(l.map { Double($0) }), to: c.labels)
        try out.commit()
        var text = "\(communities.count) communities; \(l.filter { $0 < 0 }.count) of \(n) rows in none\n"
        for (i, m) in communities.enumerated() {
          text += "community \(i): size \(m.count), center \(m[0]): " + m.map(String.init).joined(separator: " ") + "\n"
          if text.utf8.count > 1 << 16 {
            print(text, terminator: "")
            text = ""
          }
        }
        print(text, terminator: "")
      }
    }
  }
}
