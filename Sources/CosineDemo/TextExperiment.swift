import CosineKit

/// Fine-tuning retrieval on frozen text embeddings with an adapter: the experiment of
/// `cosine demo text`.
///
/// The pairs are split by ``seed`` into training pairs and held-out pairs. An adapter per side
/// (a linear layer of the embedding width, initialized to the identity; low-rank with ``rank``;
/// one for both sides with ``shared``) is trained on the training pairs, and each held-out query
/// retrieves among the held-out documents before training (the frozen embeddings) and after.
/// Metrics are ``RetrievalMetrics`` (recall@1/5/10, MRR@10, nDCG@10), computed on the search engine.
///
/// Everything random (split, initialization, order, negatives) derives from ``seed``.
public struct TextExperiment: Sendable {
  /// Seeds the split, the initialization and the order of the pairs. Default 0.
  public var seed: UInt64 = 0
  /// The fraction of pairs held out. Default 0.2.
  public var heldOutFraction: Double = 0.2
  /// The rank of a low-rank adapter, or `nil` for a full-rank one. Default `nil`.
  public var rank: Int?
  /// One adapter for queries and documents. Default `false`.
  public var shared = false
  /// The adapter training (loss, epochs, batch size, learning rate). Default ``AdapterTraining/init()``.
  public var training = AdapterTraining()
  /// How many held-out queries the outcome shows with their top results: about half of them
  /// queries the adapter fixed, a third queries it broke (where there are such), then others.
  /// Default 6.
  public var examples = 6
  /// Results shown per example. Default 3.
  public var resultsPerExample = 3

  /// Creates the default experiment.
  public init() {}

  /// One held-out query with its top results before and after training.
  public struct Example: Sendable, Equatable {
    /// The pair's index in the data.
    public var pair: Int
    /// Pair indices of the documents retrieved before training, best first.
    public var before: [Int]
    /// Pair indices of the documents retrieved after training, best first.
    public var after: [Int]
  }

  /// Cosine similarities of held-out pairs.
  public struct Similarities: Sendable {
    /// A query with its own document.
    public var matched: [Double]
    /// A query with the document of another held-out pair (a seeded derangement).
    public var unmatched: [Double]
  }

  /// What the experiment measured.
  public struct Outcome: Sendable {
    /// The configuration that ran.
    public var experiment: TextExperiment
    /// Pair indices used for training.
    public var training: [Int]
    /// Pair indices held out.
    public var heldOut: [Int]
    /// Held-out metrics of the frozen embeddings.
    public var before: RetrievalMetrics
    /// Held-out metrics after training.
    public var after: RetrievalMetrics
    /// Training-pair metrics before and after (to see over-fitting).
    public var trainingBefore: RetrievalMetrics
    /// Training-pair metrics after training.
    public var trainingAfter: RetrievalMetrics
    /// Mean training loss per epoch.
    public var losses: [Double]
    /// Held-out similarities before training.
    public var similaritiesBefore: Similarities
    /// Held-out similarities after training.
    public var similaritiesAfter: Similarities
    /// A few held-out queries with their results.
    public var examples: [Example]
    /// Seconds spent training.
    public var trainingSeconds: Double
    /// The trained adapters (left: queries, right: documents, or one shared).
    public var model: TwoTowerModel<Float>
  }

  /// Runs the experiment.
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` for settings out of range (a split that
  ///   leaves fewer than two pairs on a side, a rank above the width).
  public func run(on data: TextPairs, progress: (PairTrainer.Epoch) -> Void = { _ in }) throws -> Outcome {
    let n = data.count
    let heldCount = Int((Double(n) * heldOutFraction).rounded())
    guard heldOutFraction > 0, heldOutFraction < 1, heldCount >= 2, n - heldCount >= 2 else {
      throw CosineError.invalidArgument(
        "the held-out fraction must leave at least two pairs on each side (\(n) pairs), got \(heldOutFraction)")
    }
    var splitter = SeededGenerator(seed: seed)
    let permutation = splitter.permutation(n)
    let heldOut = Array(permutation.prefix(heldCount))
    let training = Array(permutation.dropFirst(heldCount))
    let train = data.subset(training)
    let held = data.subset(heldOut)

    var initializer = SeededGenerator(seed: seed &+ 0x7E57_0001)
    var model: TwoTowerModel<Float> = try AdapterTraining.identityModel(
      width: data.queryEmbeddings.shape[1], rank: rank, shared: shared, generator: &initializer)

    var sampler = SeededGenerator(seed: seed &+ 0x7E57_0002)
    let derangement = Self.derangement(heldCount, &sampler)
    func evaluate(_ m: TwoTowerModel<Float>, _ p: TextPairs) throws -> (RetrievalMetrics, Tensor<Float>, Tensor<Float>)
    {
      let q = try m.embedLeft(p.queryEmbeddings)
      let d = try m.embedRight(p.documentEmbeddings)
      return (try RetrievalMetrics(queries: q, index: CosineIndex(d)), q, d)
    }
    func similarities(_ q: Tensor<Float>, _ d: Tensor<Float>) throws -> Similarities {
      Similarities(
        matched: try cosineSimilarity(q, d).scalars.map(Double.init),
        unmatched: try cosineSimilarity(q, d.gatheringRows(derangement)).scalars.map(Double.init))
    }
    func top(_ q: Tensor<Float>, _ d: Tensor<Float>) throws -> [[Int]] {
      let r = try CosineIndex(d).search(q, k: max(1, resultsPerExample))
      return (0..<heldCount).map { i in r.hits(forQuery: i).map { heldOut[$0.index] } }
    }

    let (before, q0, d0) = try evaluate(model, held)
    let similaritiesBefore = try similarities(q0, d0)
    let topBefore = try top(q0, d0)
    let (trainingBefore, _, _) = try evaluate(model, train)

    let start = DigitsExperiment.now()
    let losses = try self.training.train(
      &model, queries: train.queryEmbeddings, documents: train.documentEmbeddings, seed: seed &+ 0x7E57_0003,
      progress: progress)
    let trainingSeconds = DigitsExperiment.now() - start

    let (after, q1, d1) = try evaluate(model, held)
    let (trainingAfter, _, _) = try evaluate(model, train)
    let topAfter = try top(q1, d1)
    // Shown: first the queries the adapter fixed (wrong first result before, right after), then
    // those it broke, then unchanged ones, each group in held-out order.
    let right = { (top: [[Int]], i: Int) in top[i].first == heldOut[i] }
    let fixed = (0..<heldCount).filter { !right(topBefore, $0) && right(topAfter, $0) }
    let broken = (0..<heldCount).filter { right(topBefore, $0) && !right(topAfter, $0) }
    let rest = (0..<heldCount).filter { right(topBefore, $0) == right(topAfter, $0) }
    let order = fixed.prefix((examples + 1) / 2) + broken.prefix(examples / 3) + rest
    let shown = order.prefix(examples).map {
      Example(
        pair: heldOut[$0], before: Array(topBefore[$0].prefix(resultsPerExample)),
        after: Array(topAfter[$0].prefix(resultsPerExample)))
    }
    return Outcome(
      experiment: self, training: training, heldOut: heldOut, before: before, after: after,
      trainingBefore: trainingBefore, trainingAfter: trainingAfter, losses: losses,
      similaritiesBefore: similaritiesBefore, similaritiesAfter: try similarities(q1, d1), examples: shown,
      trainingSeconds: trainingSeconds, model: model)
  }

  /// A seeded permutation of `0..<n` without fixed points (n ≥ 2): a random cyclic shift.
  static func derangement(_ n: Int, _ g: inout SeededGenerator) -> [Int] {
    let shift = 1 + g.nextInt(below: n - 1)
    return (0..<n).map { ($0 + shift) % n }
  }
}
