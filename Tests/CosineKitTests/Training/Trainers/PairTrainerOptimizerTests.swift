import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

@Suite struct PairTrainerOptimizerTests {
  func setUp() -> (TwoTowerModel<Double>, Tensor<Double>, Tensor<Double>) {
    var g = SeededGenerator(seed: 21)
    let model = TwoTowerModel<Double>(
      left: .multilayerPerceptron(sizes: [4, 6, 3], activation: .tanh, generator: &g),
      right: .multilayerPerceptron(sizes: [4, 6, 3], activation: .tanh, generator: &g))
    return (model, uniformTensor([40, 4], &g), uniformTensor([40, 4], &g))
  }

  @Test func lossAndGradientsReturnsTheLossTensor() throws {
    let (model, a, b) = setUp()
    let loss = CosineLoss(.cosineDistance())
    let (value, _) = try model.lossAndGradients(left: a, right: b, target: nil, loss: loss)
    let want = try loss(model.embedLeft(a), model.embedRight(b))
    #expect(value.shape == [] && value == want)
  }

  @Test func anyOptimizerDrivesTheSteps() throws {
    // One epoch, one batch: the trainer's step equals a hand-written SGD step.
    let (start, a, b) = setUp()
    let loss = CosineLoss(.cosineDistance())
    let trainer = PairTrainer(loss: loss, epochs: 1, batchSize: 40, seed: 3)
    var model = start
    var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
    let losses = try trainer.train(&model, left: a, right: b, target: nil, optimizer: &sgd)

    var order = SeededGenerator(seed: 3)
    let rows = order.permutation(40)
    var manual = start
    let (value, grads) = try manual.lossAndGradients(
      left: a.gatheringRows(rows), right: b.gatheringRows(rows), target: nil, loss: loss)
    var reference = SGD<Double>(learningRate: 0.1, momentum: 0.9)
    try reference.update(&manual.parameters, along: grads)
    #expect(model.parameters == manual.parameters)
    #expect(isClose(losses[0], value.item(), rtol: 1e-12, atol: 1e-15))
    // The optimizer kept its momentum: a second call continues from it.
    _ = try trainer.train(&model, left: a, right: b, target: nil, optimizer: &sgd)
    #expect(model.parameters != manual.parameters)
  }

  @Test func asyncTrainingEqualsSynchronousTraining() async throws {
    let (start, a, b) = setUp()
    let trainer = PairTrainer(loss: CosineLoss(.cosineDistance()), epochs: 3, batchSize: 8, learningRate: 1e-2)
    var syncModel = start
    let syncLosses = try { try trainer.train(&syncModel, left: a, right: b, target: nil) }()
    var asyncModel = start
    let asyncLosses = try await trainer.train(&asyncModel, left: a, right: b, target: nil)
    #expect(asyncLosses == syncLosses && asyncModel.parameters == syncModel.parameters)
  }

  @Test func cancelledTrainingLeavesModelAndOptimizerUnchanged() async throws {
    var g = SeededGenerator(seed: 4)
    let a = uniformTensor([4_000, 32], &g)
    let b = uniformTensor([4_000, 32], &g)
    let start = TwoTowerModel<Double>(
      left: .multilayerPerceptron(sizes: [32, 64, 16], activation: .tanh, generator: &g), right: nil)
    let trainer = PairTrainer(loss: CosineLoss(.cosineDistance()), epochs: 10_000, batchSize: 16)
    let task = Task {
      var model = start
      var adam = Adam<Double>()
      do {
        _ = try await trainer.train(&model, left: a, right: b, target: nil, optimizer: &adam)
      } catch {
        return (error is CancellationError, model.parameters == start.parameters)
      }
      return (false, false)
    }
    try await Task.sleep(nanoseconds: 200_000_000)
    task.cancel()
    let (cancelled, unchanged) = await task.value
    #expect(cancelled && unchanged)
  }
}
