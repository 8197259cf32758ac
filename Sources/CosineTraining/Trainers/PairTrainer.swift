import CosineCore
import CosineLosses

/// Mini-batch training of a ``TwoTowerModel`` on paired rows: the loop behind `cosine train`.
///
/// Each epoch visits the pairs in a new seeded order, in batches of ``batchSize``; each batch is
/// one loss evaluation, one backward pass through both towers and one optimizer step.
///
/// With a ``batchLoss`` (in-batch negatives: ``MultipleNegativesRankingLoss``, ``CoSENTLoss``,
/// ``CosineTripletLoss``, ``ContrastiveLoss``, ``OnlineContrastiveLoss``, ``MatryoshkaLoss``)
/// the batches never hold the same pair, left row or right row twice (they would be false
/// negatives), and hard negatives may be given to ``train(_:left:right:target:negatives:progress:)-1li9j``.
public struct PairTrainer: Sendable {
  /// The loss comparing the two embeddings of a pair (unused when ``batchLoss`` is set).
  public var loss: CosineLoss
  /// A loss over the whole batch, used instead of ``loss`` when set.
  public var batchLoss: (any BatchCosineLoss)? = nil
  /// Passes over the data.
  public var epochs: Int
  /// Pairs per optimizer step (the last batch of an epoch may be smaller).
  public var batchSize: Int
  /// The learning rate of the Adam optimizer ``train(_:left:right:target:negatives:progress:)-1li9j`` creates
  /// (``train(_:left:right:target:negatives:optimizer:progress:)-3kths`` uses its optimizer's own).
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

  /// Trains `model` with a fresh ``Adam`` optimizer of rate ``learningRate`` and returns the mean
  /// loss of every epoch; see ``train(_:left:right:target:negatives:optimizer:progress:)-3kths``.
  public func train<T: TensorScalar>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?,
    negatives: Tensor<T>? = nil, progress: (Epoch) -> Void = { _ in }
  ) throws -> [Double] {
    var adam = Adam<T>(learningRate: learningRate)
    return try train(
      &model, left: left, right: right, target: target, negatives: negatives, optimizer: &adam, progress: progress)
  }

  /// Trains `model` with `optimizer` (any ``Optimizer``: ``SGD``, ``Adam`` or your own) and
  /// returns the mean loss of every epoch.
  ///
  /// The optimizer keeps its state between calls, so training can continue with a second call.
  ///
  /// - Parameters:
  ///   - model: The model, updated in place.
  ///   - left: `[n, in]` rows for the left tower.
  ///   - right: `[n, in′]` rows for the right tower.
  ///   - target: `[n]` per-pair targets when the loss needs them.
  ///   - negatives: Hard negatives for a ``batchLoss``: `[n, in′]` (one per pair) or `[k, n, in′]`
  ///     (k per pair), embedded by the right tower; nil for none.
  ///   - optimizer: Updates the parameters after every batch.
  ///   - progress: Called after every epoch.
  /// - Throws: ``CosineError`` if the row counts differ, a setting is out of range, or the
  ///   shapes do not fit the towers or the loss; what the optimizer throws.
  ///
  /// **Edge cases:** zero epochs or zero pairs leave the model unchanged (an epoch over zero
  /// pairs has loss 0).
  /// - Complexity: per epoch, one forward and backward pass over the n pairs.
  public func train<T: TensorScalar, O: Optimizer<T>>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?,
    negatives: Tensor<T>? = nil, optimizer: inout O, progress: (Epoch) -> Void = { _ in }
  ) throws -> [Double] {
    let plan = try checkInputs(left: left, right: right, target: target, negatives: negatives)
    var order = SeededGenerator(seed: seed)
    var losses: [Double] = []
    for epoch in stride(from: 1, through: epochs, by: 1) {
      let mean = try trainEpoch(
        &model, left: left, right: right, target: target, plan: plan, optimizer: &optimizer, order: &order)
      losses.append(mean)
      progress(Epoch(number: epoch, loss: mean))
    }
    return losses
  }

  /// What a run needs besides the pairs: hard negatives as `[k, n, w]` blocks, and the row keys
  /// that keep duplicates out of a batch (batch losses only).
  package struct BatchPlan<T: TensorScalar> {
    package var negativeBlocks: Tensor<T>?
    package var keys: (left: [Int], right: [Int])?
  }

  /// Checks the settings and the shapes of the pairs and negatives.
  package func checkInputs<T: TensorScalar>(
    left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?, negatives: Tensor<T>?
  ) throws -> BatchPlan<T> {
    guard epochs >= 0 else { throw CosineError.invalidArgument("epochs must be >= 0, got \(epochs)") }
    guard batchSize >= 1 else { throw CosineError.invalidArgument("batch size must be >= 1, got \(batchSize)") }
    guard left.rank == 2, right.rank == 2, left.shape[0] == right.shape[0] else {
      throw CosineError.shapeMismatch(operation: "paired rows (need [n, d] and [n, d′])", left.shape, right.shape)
    }
    let n = left.shape[0]
    if let target, target.shape != [n] {
      throw CosineError.shapeMismatch(operation: "targets (need one per pair)", target.shape, [n])
    }
    if negatives != nil && batchLoss == nil {
      throw CosineError.invalidArgument("negatives need a batch loss (mnrl or triplet)")
    }
    let blocks = try negatives.map { try Self.negativeBlocks($0, pairs: n, width: right.shape[1]) }
    let keys = batchLoss == nil ? nil : (NoDuplicateBatches.rowKeys(left), NoDuplicateBatches.rowKeys(right))
    return BatchPlan(negativeBlocks: blocks, keys: keys)
  }

  /// One epoch: the pairs in the next order of `order`, one optimizer step per batch; returns
  /// the mean loss. With a ``batchLoss`` no batch holds the same pair, left row or right row
  /// twice. `shouldStop` is asked before every batch.
  package func trainEpoch<T: TensorScalar, O: Optimizer<T>>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?, plan: BatchPlan<T>,
    optimizer: inout O, order: inout SeededGenerator, shouldStop: () -> Bool = { false }
  ) throws -> Double {
    let n = left.shape[0]
    let permutation = order.permutation(n)
    let batches =
      plan.keys.map {
        NoDuplicateBatches.batches(order: permutation, leftKeys: $0.left, rightKeys: $0.right, size: batchSize)
      }
      ?? stride(from: 0, to: n, by: batchSize).map { Array(permutation[$0..<min(n, $0 + batchSize)]) }
    var total = 0.0
    for rows in batches {
      if shouldStop() { throw CancellationError() }
      let (l, g) =
        if let batchLoss {
          try model.lossAndGradients(
            left: left.gatheringRows(rows), right: right.gatheringRows(rows),
            negatives: plan.negativeBlocks.map { Self.gather($0, rows: rows, pairs: n) },
            target: target?.gatheringRows(rows), loss: batchLoss)
        } else {
          try model.lossAndGradients(
            left: left.gatheringRows(rows), right: right.gatheringRows(rows), target: target?.gatheringRows(rows),
            loss: loss)
        }
      var p = model.parameters
      try optimizer.update(&p, along: g)
      model.parameters = p
      total += Double(l.item()) * Double(rows.count)
    }
    return n == 0 ? 0 : total / Double(n)
  }
}
