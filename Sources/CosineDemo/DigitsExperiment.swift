import CosineKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Learning one embedding space for the top and the bottom halves of handwritten digits.
///
/// A two-tower model embeds the top half (32 pixels) and the bottom half (32 pixels) of each
/// digit. It is trained with the cosine embedding loss (PyTorch's `CosineEmbeddingLoss`): the
/// two halves of one image are a positive pair (target 1), the top half of an image with the
/// bottom half of a digit of another class a negative pair (target −1). Images are split by
/// ``seed`` into ``trainingCount`` training images and held-out images; on the held-out images
/// each top half retrieves the bottom half of highest cosine similarity, and the class recall@1
/// is the fraction of retrieved halves whose digit has the query's class (chance: about 0.10).
///
/// Everything random (split, initialization, order, negatives) derives from ``seed``, so a
/// configuration gives the same numbers on every run.
public struct DigitsExperiment: Sendable {
  /// Seeds the split, the initialization, the batch order and the negatives. Default 0.
  public var seed: UInt64 = 0
  /// Passes over the training images. Default 30.
  public var epochs: Int = 30
  /// Images used for training; the rest are held out. Default 1400.
  public var trainingCount: Int = 1400
  /// Width of each tower's hidden layer. Default 64.
  public var hiddenSize: Int = 64
  /// Width of the embeddings. Default 32.
  public var embeddingSize: Int = 32
  /// Negative pairs per positive pair. Default 3.
  public var negativesPerImage: Int = 3
  /// Images per optimizer step (each brings one positive and ``negativesPerImage`` negatives).
  public var batchSize: Int = 32
  /// Adam's learning rate. Default 3e-3.
  public var learningRate: Double = 3e-3
  /// The margin of the cosine embedding loss. Default 0.
  public var margin: Double = 0

  /// Creates the default experiment.
  public init() {}

  /// Reported after every epoch.
  public struct Progress: Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// The mean training loss of the epoch.
    public var loss: Double
    /// Seconds since training started.
    public var seconds: Double
  }

  /// Cosine similarities of held-out pairs.
  public struct Similarities: Sendable {
    /// Top and bottom half of the same image.
    public var positive: [Double]
    /// Top half of an image and bottom half of a digit of another class.
    public var negative: [Double]
  }

  /// One held-out query and the bottom half it retrieved.
  public struct Retrieval: Sendable, Equatable {
    /// The query image's index in the data set.
    public var query: Int
    /// The index of the image whose bottom half was retrieved.
    public var retrieved: Int
    /// Whether the two digits have the same class.
    public var correct: Bool
  }

  /// What the experiment measured.
  public struct Outcome: Sendable {
    /// The configuration that ran.
    public var experiment: DigitsExperiment
    /// Indices of the held-out images.
    public var heldOut: [Int]
    /// Class recall@1 on the held-out images before training.
    public var recallUntrained: Double
    /// Class recall@1 on the held-out images after training.
    public var recallTrained: Double
    /// Mean training loss of every epoch (over all pairs, positive and negative).
    public var losses: [Double]
    /// Held-out pair similarities before training.
    public var before: Similarities
    /// Held-out pair similarities after training.
    public var after: Similarities
    /// Retrievals of every held-out query before training, in ``heldOut`` order.
    public var retrievalsBefore: [Retrieval]
    /// Retrievals of every held-out query after training.
    public var retrievalsAfter: [Retrieval]
    /// Seconds spent training.
    public var trainingSeconds: Double
    /// The trained model (left tower: top halves; right tower: bottom halves).
    public var model: TwoTowerModel<Float>
  }

  /// Runs the experiment.
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` for settings out of range (for example a
  ///   training count that leaves no held-out image).
  public func run(on data: DigitsData, progress: (Progress) -> Void = { _ in }) throws -> Outcome {
    try validate(count: data.count)
    let (top, bottom) = data.halves()
    var splitter = SeededGenerator(seed: seed)
    let permutation = splitter.permutation(data.count)
    let training = Array(permutation.prefix(trainingCount))
    let heldOut = Array(permutation.dropFirst(trainingCount))

    var initializer = SeededGenerator(seed: seed &+ 0x5EED_0001)
    let sizes = [32, hiddenSize, embeddingSize]
    var model = TwoTowerModel<Float>(
      left: .multilayerPerceptron(sizes: sizes, activation: .tanh, generator: &initializer),
      right: .multilayerPerceptron(sizes: sizes, activation: .tanh, generator: &initializer))

    var evaluationSampler = SeededGenerator(seed: seed &+ 0x5EED_0002)
    let negatives = heldOut.map { i in Self.negative(for: i, among: heldOut, labels: data.labels, &evaluationSampler) }
    let evaluate = { (m: TwoTowerModel<Float>) throws -> (Double, [Retrieval], Similarities) in
      let queries = try m.embedLeft(top.gatheringRows(heldOut))
      let corpus = try m.embedRight(bottom.gatheringRows(heldOut))
      let (recall, retrievals) = try Self.retrieve(queries, corpus, heldOut, data.labels)
      let positive = try cosineSimilarity(queries, corpus).scalars.map(Double.init)
      let negativeRight = try m.embedRight(bottom.gatheringRows(negatives))
      let negative = try cosineSimilarity(queries, negativeRight).scalars.map(Double.init)
      return (recall, retrievals, Similarities(positive: positive, negative: negative))
    }
    let (recallUntrained, retrievalsBefore, before) = try evaluate(model)

    // The training pairs: each image's two halves (target 1) and, per image,
    // `negativesPerImage` top halves paired with bottom halves of other digits (target −1),
    // drawn once; the library's trainer shuffles and batches them.
    var sampler = SeededGenerator(seed: seed &+ 0x5EED_0003)
    var leftRows = training
    var rightRows = training
    var target = [Float](repeating: 1, count: training.count)
    for _ in 0..<negativesPerImage {
      for i in training {
        leftRows.append(i)
        rightRows.append(Self.negative(for: i, among: training, labels: data.labels, &sampler))
        target.append(-1)
      }
    }
    let trainer = PairTrainer(
      loss: CosineLoss(.embedding(margin: margin)), epochs: epochs, batchSize: batchSize * (1 + negativesPerImage),
      learningRate: learningRate, seed: seed &+ 0x5EED_0004)
    let start = Self.now()
    let losses = try trainer.train(
      &model, left: top.gatheringRows(leftRows), right: bottom.gatheringRows(rightRows), target: Tensor(target)
    ) { e in progress(Progress(epoch: e.number, loss: e.loss, seconds: Self.now() - start)) }
    let trainingSeconds = Self.now() - start
    let (recallTrained, retrievalsAfter, after) = try evaluate(model)
    return Outcome(
      experiment: self, heldOut: heldOut, recallUntrained: recallUntrained, recallTrained: recallTrained,
      losses: losses,
      before: before, after: after, retrievalsBefore: retrievalsBefore, retrievalsAfter: retrievalsAfter,
      trainingSeconds: trainingSeconds, model: model)
  }

  private func validate(count: Int) throws {
    func check(_ ok: Bool, _ message: String) throws {
      if !ok { throw CosineError.invalidArgument(message) }
    }
    try check(epochs >= 0, "epochs must be >= 0, got \(epochs)")
    try check(
      trainingCount >= 2 && trainingCount < count,
      "the training count must be between 2 and \(count - 1) (the data set has \(count) images), got \(trainingCount)")
    try check(hiddenSize >= 1 && embeddingSize >= 1, "layer sizes must be >= 1")
    try check(negativesPerImage >= 0, "negatives per image must be >= 0")
    try check(batchSize >= 1, "the batch size must be >= 1")
    try check(learningRate.isFinite && learningRate >= 0, "the learning rate must be a finite number >= 0")
    try check(margin.isFinite && margin >= -1 && margin <= 1, "the margin must be in [-1, 1]")
  }

  /// A random image of `pool` whose class differs from image `i`'s (or any image of `pool` if
  /// every image has that class).
  static func negative(for i: Int, among pool: [Int], labels: [Int], _ g: inout SeededGenerator) -> Int {
    for _ in 0..<64 {
      let j = pool[g.nextInt(below: pool.count)]
      if labels[j] != labels[i] { return j }
    }
    return pool[g.nextInt(below: pool.count)]
  }

  /// Class recall@1 of retrieving, for each query row, the corpus row of highest cosine
  /// similarity (the first one on ties, as ``topKSearch(queries:corpus:k:eps:)`` ranks); row k of
  /// both is image `images[k]`.
  static func retrieve(
    _ queries: Tensor<Float>, _ corpus: Tensor<Float>, _ images: [Int], _ labels: [Int]
  ) throws -> (Double, [Retrieval]) {
    let best = try CosineIndex(corpus).search(queries, k: 1)
    let n = images.count
    let retrievals = (0..<n).map { q in
      let r = best.indices[q]
      return Retrieval(query: images[q], retrieved: images[r], correct: labels[images[r]] == labels[images[q]])
    }
    let hits = retrievals.filter(\.correct).count
    return (n == 0 ? 0 : Double(hits) / Double(n), retrievals)
  }

  /// Monotonic seconds.
  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }
}
