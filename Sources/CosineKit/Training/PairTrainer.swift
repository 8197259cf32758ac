/// Mini-batch training of a ``TwoTowerModel`` on paired rows: the loop behind `cosine train`.
///
/// Each epoch visits the pairs in a new seeded order, in batches of ``batchSize``; each batch is
/// one loss evaluation, one backward pass through both towers and one optimizer step.
public struct PairTrainer: Sendable {
  /// The loss comparing the two embeddings of a pair.
  public var loss: CosineLoss
  /// Passes over the data.
  public var epochs: Int
  /// Pairs per optimizer step (the last batch of an epoch may be smaller).
  public var batchSize: Int
  /// The learning rate of the Adam optimizer ``train(_:left:right:target:progress:)-32fm9`` creates
  /// (``train(_:left:right:target:optimizer:progress:)-41v30`` uses its optimizer's own).
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
  /// loss of every epoch; see ``train(_:left:right:target:optimizer:progress:)-41v30``.
  public func train<T: TensorScalar>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?,
    progress: (Epoch) -> Void = { _ in }
  ) throws -> [Double] {
    var adam = Adam<T>(learningRate: learningRate)
    return try train(&model, left: left, right: right, target: target, optimizer: &adam, progress: progress)
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
    optimizer: inout O, progress: (Epoch) -> Void = { _ in }
  ) throws -> [Double] {
    try checkInputs(left: left, right: right, target: target)
    var order = SeededGenerator(seed: seed)
    var losses: [Double] = []
    for epoch in stride(from: 1, through: epochs, by: 1) {
      let mean = try trainEpoch(&model, left: left, right: right, target: target, optimizer: &optimizer, order: &order)
      losses.append(mean)
      progress(Epoch(number: epoch, loss: mean))
    }
    return losses
  }

  /// Checks the settings and the shapes of the pairs.
  func checkInputs<T: TensorScalar>(left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?) throws {
    guard epochs >= 0 else { throw CosineError.invalidArgument("epochs must be >= 0, got \(epochs)") }
    guard batchSize >= 1 else { throw CosineError.invalidArgument("batch size must be >= 1, got \(batchSize)") }
    guard left.rank == 2, right.rank == 2, left.shape[0] == right.shape[0] else {
      throw CosineError.shapeMismatch(operation: "paired rows (need [n, d] and [n, d′])", left.shape, right.shape)
    }
    let n = left.shape[0]
    if let target, target.shape != [n] {
      throw CosineError.shapeMismatch(operation: "targets (need one per pair)", target.shape, [n])
    }
  }

  /// One epoch: the pairs in the next order of `order`, one optimizer step per batch; returns
  /// the mean loss. `shouldStop` is asked before every batch.
  func trainEpoch<T: TensorScalar, O: Optimizer<T>>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?,
    optimizer: inout O, order: inout SeededGenerator, shouldStop: () -> Bool = { false }
  ) throws -> Double {
    let n = left.shape[0]
    let permutation = order.permutation(n)
    var total = 0.0
    for start in stride(from: 0, to: n, by: batchSize) {
      if shouldStop() { throw CancellationError() }
      let rows = Array(permutation[start..<min(n, start + batchSize)])
      let (l, g) = try model.lossAndGradients(
        left: left.gatheringRows(rows), right: right.gatheringRows(rows), target: target?.gatheringRows(rows),
        loss: loss)
      var p = model.parameters
      try optimizer.update(&p, along: g)
      model.parameters = p
      total += Double(l.item()) * Double(rows.count)
    }
    return n == 0 ? 0 : total / Double(n)
  }
}
