/// Training adapters on frozen embeddings of paired texts (queries and the documents they
/// should retrieve): the defaults behind `cosine train --adapter` and `cosine demo text`.
///
/// An adapter is a linear layer of the embedding width initialized to the identity
/// (``Dense/identity(width:useBias:)``, or ``LowRankAdapter`` for `W = I + U·Vᵀ`), so training
/// starts from the base model's retrieval quality. ``identityModel(width:rank:shared:generator:)``
/// builds one per side (or one shared); ``train(_:queries:documents:seed:progress:)`` fits them
/// with ``PairTrainer``.
///
/// The objective is the cosine embedding loss on each pair (target 1) and on ``negatives``
/// pairs per query with documents of other pairs drawn once with the seed (target −1), margin
/// ``margin``: it pulls each query towards its document and pushes it below the margin from
/// other documents.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// var model = try AdapterTraining.identityModel(width: 384, rank: nil, shared: false, generator: &rng)
/// let losses = try AdapterTraining().train(&model, queries: q, documents: d, seed: 1)
/// ```
public struct AdapterTraining: Sendable {
  /// Passes over the pairs. Default 20.
  public var epochs: Int = 20
  /// Queries per optimizer step (each brings its document and its negatives). Default 64.
  public var batchSize: Int = 64
  /// Adam's learning rate. Default 1e-4.
  public var learningRate: Double = 1e-4
  /// Negative pairs per query. Default 3.
  public var negatives: Int = 3
  /// The margin of the embedding loss on negative pairs. Default 0.2.
  public var margin: Double = 0.2

  /// Creates the default training.
  public init() {}

  /// The objective in words, for reports.
  public var objectiveDescription: String {
    "cosine embedding loss, margin \(margin), \(negatives) negative documents per query"
  }

  /// Two identity adapters of `width` (or one shared): full-rank ``Dense`` layers, or
  /// ``LowRankAdapter``s of rank `rank`, each with a zero bias.
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` if `width < 1` or `rank` is outside `1...width`.
  /// - Complexity: O(width²) memory per full-rank adapter, O(width·rank) per low-rank one.
  public static func identityModel<T: TensorScalar, G: RandomNumberGenerator>(
    width: Int, rank: Int?, shared: Bool, generator: inout G
  ) throws -> TwoTowerModel<T> {
    guard width >= 1 else { throw CosineError.invalidArgument("adapter width must be >= 1, got \(width)") }
    if let rank, rank < 1 || rank > width {
      throw CosineError.invalidArgument("adapter rank must be in 1...\(width) (the embedding width), got \(rank)")
    }
    func adapter() -> Sequential<T> {
      if let rank { return Sequential(LowRankAdapter<T>(width: width, rank: rank, generator: &generator)) }
      return Sequential(Dense<T>.identity(width: width))
    }
    let left = adapter()
    return TwoTowerModel(left: left, right: shared ? nil : adapter())
  }

  /// Trains `model` so that each query row retrieves its document row.
  ///
  /// - Parameters:
  ///   - model: The adapters (left: queries, right: documents).
  ///   - queries: `[n, d]` query embeddings.
  ///   - documents: `[n, d′]` document embeddings; row i is query i's document.
  ///   - seed: Seeds the negatives and the order of the pairs.
  ///   - progress: Called after every epoch.
  /// - Returns: The mean loss of every epoch.
  /// - Throws: ``CosineError`` for fewer than two pairs, settings out of range, or shapes that
  ///   do not fit the adapters.
  /// - Complexity: per epoch O(n·(1 + negatives)·cost of the adapters).
  public func train<T: TensorScalar>(
    _ model: inout TwoTowerModel<T>, queries: Tensor<T>, documents: Tensor<T>, seed: UInt64,
    progress: (PairTrainer.Epoch) -> Void = { _ in }
  ) throws -> [Double] {
    guard queries.rank == 2, documents.rank == 2, queries.shape[0] == documents.shape[0] else {
      throw CosineError.shapeMismatch(operation: "adapter pairs (need [n, d] and [n, d′])", queries.shape, documents.shape)
    }
    let n = queries.shape[0]
    guard n >= 2 else { throw CosineError.invalidArgument("adapter training needs at least 2 pairs, got \(n)") }
    guard negatives >= 0 else { throw CosineError.invalidArgument("negatives must be >= 0, got \(negatives)") }
    guard margin.isFinite, margin >= -1, margin <= 1 else {
      throw CosineError.invalidArgument("the margin must be in [-1, 1], got \(margin)")
    }
    var sampler = SeededGenerator(seed: seed)
    var left = Array(0..<n)
    var right = Array(0..<n)
    var target = [T](repeating: 1, count: n)
    for _ in 0..<negatives {
      for i in 0..<n {
        let j = (i + 1 + sampler.nextInt(below: n - 1)) % n  // any other pair's document
        left.append(i)
        right.append(j)
        target.append(-1)
      }
    }
    let trainer = PairTrainer(
      loss: CosineLoss(.embedding(margin: margin)), epochs: epochs, batchSize: batchSize * (1 + negatives),
      learningRate: learningRate, seed: seed &+ 1)
    return try trainer.train(
      &model, left: queries.gatheringRows(left), right: documents.gatheringRows(right), target: Tensor(target),
      progress: progress)
  }
}
