/// Mini-batch training of a ``TwoTowerModel`` on paired rows: the loop behind `cosine train`.
///
/// Each epoch visits the pairs in a new seeded order, in batches of ``batchSize``; each batch is
/// one loss evaluation, one backward pass through both towers and one optimizer step.
///
/// With a ``batchLoss`` (in-batch negatives: ``MultipleNegativesRankingLoss``, ``CoSENTLoss``,
/// ``CosineTripletLoss``, ``ContrastiveLoss``, ``OnlineContrastiveLoss``, ``MatryoshkaLoss``)
/// the batches never hold the same pair, left row or right row twice (they would be false
/// negatives), and hard negatives may be given to ``train(_:left:right:target:negatives:progress:)``.
public struct PairTrainer: Sendable {
  /// The loss comparing the two embeddings of a pair (unused when ``batchLoss`` is set).
  public var loss: CosineLoss
  /// A loss over the whole batch, used instead of ``loss`` when set.
  public var batchLoss: (any BatchCosineLoss)? = nil
  /// Passes over the data.
  public var epochs: Int
  /// Pairs per optimizer step (the last batch of an epoch may be smaller).
  public var batchSize: Int
  /// Adam's learning rate.
  public var learningRate: Double
  /// Seeds the order of the pairs.
  public var seed: UInt64

  /// Creates a trainer.
  public init(loss: CosineLoss, epochs: Int = 20, batchSize: Int = 64, learningRate: Double = 1e-3, seed: UInt64 = 0) {
    self.loss = loss
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.seed = seed
  }

  /// One epoch's outcome.
  public struct Epoch: Sendable {
    /// 1-based epoch number.
    public var number: Int
    /// The mean of the batch losses, weighted by batch size.
    public var loss: Double
  }

  /// Trains `model` with Adam and returns the mean loss of every epoch.
  ///
  /// - Parameters:
  ///   - left: `[n, in]` rows for the left tower.
  ///   - right: `[n, in′]` rows for the right tower.
  ///   - target: `[n]` per-pair targets when the loss needs them.
  ///   - negatives: Hard negatives for a ``batchLoss``: `[n, in′]` (one per pair) or `[k, n, in′]`
  ///     (k per pair), embedded by the right tower; nil for none.
  ///   - progress: Called after every epoch.
  /// - Throws: ``CosineError`` if the row counts differ, a setting is out of range, or the
  ///   shapes do not fit the towers or the loss.
  public func train<T: TensorScalar>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?,
    negatives: Tensor<T>? = nil, progress: (Epoch) -> Void = { _ in }
  ) throws -> [Double] {
    guard epochs >= 0 else { throw CosineError.invalidArgument("epochs must be >= 0, got \(epochs)") }
    guard batchSize >= 1 else { throw CosineError.invalidArgument("batch size must be >= 1, got \(batchSize)") }
    guard left.rank == 2, right.rank == 2, left.shape[0] == right.shape[0] else {
      throw CosineError.shapeMismatch(operation: "paired rows (need [n, d] and [n, d′])", left.shape, right.shape)
    }
    let n = left.shape[0]
    if let target, target.shape != [n] {
      throw CosineError.shapeMismatch(operation: "targets (need one per pair)", target.shape, [n])
    }
    let negativeRows = try negatives.map { try Self.negativeBlocks($0, pairs: n, width: right.shape[1]) }
    if negatives != nil && batchLoss == nil {
      throw CosineError.invalidArgument("negatives need a batch loss (mnrl or triplet)")
    }
    let keys = batchLoss == nil ? nil : (NoDuplicateBatches.rowKeys(left), NoDuplicateBatches.rowKeys(right))
    var order = SeededGenerator(seed: seed)
    var adam = Adam<T>(learningRate: learningRate)
    var losses: [Double] = []
    for epoch in stride(from: 1, through: epochs, by: 1) {
      let permutation = order.permutation(n)
      var total = 0.0
      let batches =
        keys.map { NoDuplicateBatches.batches(order: permutation, leftKeys: $0.0, rightKeys: $0.1, size: batchSize) }
        ?? stride(from: 0, to: n, by: batchSize).map { Array(permutation[$0..<min(n, $0 + batchSize)]) }
      for rows in batches {
        let (l, g) =
          if let batchLoss {
            try model.lossAndGradients(
              left: left.gatheringRows(rows), right: right.gatheringRows(rows),
              negatives: negativeRows.map { Self.gather($0, rows: rows, pairs: n) },
              target: target?.gatheringRows(rows),
              loss: batchLoss)
          } else {
            try model.lossAndGradients(
              left: left.gatheringRows(rows), right: right.gatheringRows(rows), target: target?.gatheringRows(rows),
              loss: loss)
          }
        var p = model.parameters
        try adam.update(&p, along: g)
        model.parameters = p
        total += l * Double(rows.count)
      }
      let mean = n == 0 ? 0 : total / Double(n)
      losses.append(mean)
      progress(Epoch(number: epoch, loss: mean))
    }
    return losses
  }
}

extension Tensor {
  /// The rows (slices along the first axis) at `indices`, in that order.
  ///
  /// - Precondition: every index is in `0 ..< shape[0]`.
  func gatheringRows(_ indices: [Int]) -> Tensor {
    precondition(rank >= 1)
    let width = shape.dropFirst().reduce(1, *)
    var out = [Scalar]()
    out.reserveCapacity(indices.count * width)
    for i in indices { out.append(contentsOf: scalars[(i * width)..<((i + 1) * width)]) }
    return Tensor(uncheckedShape: [indices.count] + shape.dropFirst(), scalars: out)
  }
}
