import CosineCore
import CosineLosses

extension PairTrainer {
  /// ``train(_:left:right:target:negatives:optimizer:progress:)-3kths`` off the cooperative thread pool,
  /// cancellable between batches.
  ///
  /// The epochs run on a thread of their own; `progress` is called on that thread after every
  /// epoch. On cancellation the call throws `CancellationError` and leaves `model` and
  /// `optimizer` as they were before the call (training is all or nothing).
  ///
  /// ```swift
  /// var adam = Adam<Float>(learningRate: 1e-3)
  /// let losses = try await trainer.train(&model, left: a, right: b, target: nil, optimizer: &adam)
  /// ```
  ///
  /// - Throws: as the synchronous form, and `CancellationError`.
  public func train<T: TensorScalar, O: Optimizer<T>>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?,
    negatives: Tensor<T>? = nil, optimizer: inout O, progress: @escaping @Sendable (Epoch) -> Void = { _ in }
  ) async throws -> [Double] {
    let plan = try checkInputs(left: left, right: right, target: target, negatives: negatives)
    let (start, startOptimizer) = (model, optimizer)
    let (trained, finalOptimizer, losses) = try await OffPool.run("train") { isCancelled in
      var m = start
      var o = startOptimizer
      var order = SeededGenerator(seed: seed)
      var losses: [Double] = []
      for epoch in stride(from: 1, through: epochs, by: 1) {
        let mean = try trainEpoch(
          &m, left: left, right: right, target: target, plan: plan, optimizer: &o, order: &order,
          shouldStop: isCancelled)
        losses.append(mean)
        progress(Epoch(number: epoch, loss: mean))
      }
      return (m, o, losses)
    }
    model = trained
    optimizer = finalOptimizer
    return losses
  }

  /// ``train(_:left:right:target:negatives:progress:)-1li9j`` (a fresh ``Adam`` of rate ``learningRate``) off
  /// the cooperative thread pool, cancellable between batches; see
  /// ``train(_:left:right:target:negatives:optimizer:progress:)-3kths``.
  public func train<T: TensorScalar>(
    _ model: inout TwoTowerModel<T>, left: Tensor<T>, right: Tensor<T>, target: Tensor<T>?,
    negatives: Tensor<T>? = nil, progress: @escaping @Sendable (Epoch) -> Void = { _ in }
  ) async throws -> [Double] {
    var adam = Adam<T>(learningRate: learningRate)
    return try await train(
      &model, left: left, right: right, target: target, negatives: negatives, optimizer: &adam, progress: progress)
  }
}
