import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct BatchTrainingTests {
  /// The batches never hold a pair, left row or right row twice; every pair appears once.
  @Test func batchesHaveNoDuplicates() throws {
    var rows: [[Float]] = (0..<30).map { i in [Float(i % 7), Float(i % 3)] }  // many duplicates
    rows[5] = [-0.0, 0]
    rows[6] = [0, 0]
    let left = try Tensor<Float>(rows: rows)
    let right = try Tensor<Float>(rows: (0..<30).map { [Float($0 % 11)] })
    let lk = NoDuplicateBatches.rowKeys(left)
    let rk = NoDuplicateBatches.rowKeys(right)
    #expect(lk[5] == lk[6])  // −0 and +0 rows are one row
    var g = SeededGenerator(seed: 3)
    let batches = NoDuplicateBatches.batches(order: g.permutation(30), leftKeys: lk, rightKeys: rk, size: 8)
    #expect(batches.flatMap { $0 }.sorted() == Array(0..<30))
    for b in batches {
      #expect(b.count <= 8 && !b.isEmpty)
      #expect(Set(b.map { lk[$0] }).count == b.count)
      #expect(Set(b.map { rk[$0] }).count == b.count)
    }
  }

  /// The model's batch-loss gradients match finite differences of the loss through both towers,
  /// negatives included.
  @Test func twoTowerBatchGradients() throws {
    var rng = SeededGenerator(seed: 1)
    let model = TwoTowerModel<Double>(
      left: .multilayerPerceptron(sizes: [3, 4], activation: .tanh, generator: &rng),
      right: .multilayerPerceptron(sizes: [2, 4], activation: .tanh, generator: &rng))
    let l = randomTensor([5, 3], seed: 2, as: Double.self)
    let r = randomTensor([5, 2], seed: 3, as: Double.self)
    let n = randomTensor([10, 2], seed: 4, as: Double.self)
    let loss = try MatryoshkaLoss(MultipleNegativesRankingLoss(scale: 5), dims: [4, 2])
    let (_, g) = try model.lossAndGradients(left: l, right: r, negatives: n, target: nil, loss: loss)
    let params = model.parameters
    for (k, p) in params.enumerated() {
      let fd = finiteDifferenceGradient(p) { q in
        var m = model
        var ps = params
        ps[k] = q
        m.parameters = ps
        return try! m.lossAndGradients(left: l, right: r, negatives: n, target: nil, loss: loss).loss.item()
      }
      #expect(allClose(g[k], fd, rtol: 1e-6, atol: 1e-8))
    }
  }

  @Test func trainerLowersTheLoss() throws {
    var rng = SeededGenerator(seed: 5)
    var model = TwoTowerModel<Float>(
      left: .multilayerPerceptron(sizes: [6, 8], activation: .tanh, generator: &rng), right: nil)
    let x = randomTensor([64, 6], seed: 6, as: Float.self)
    let y = Tensor<Float>(
      uncheckedShape: x.shape, scalars: x.scalars.enumerated().map { $1 + 0.05 * Float($0 % 5 - 2) })
    let trainer = PairTrainer(
      batchLoss: try MultipleNegativesRankingLoss(), epochs: 15, batchSize: 16, learningRate: 1e-2)
    let losses = try trainer.train(&model, left: x, right: y, target: nil)
    #expect(losses.last! < losses.first! * 0.7)
    #expect(throws: CosineError.self) {
      try PairTrainer(loss: CosineLoss(.keras)).train(&model, left: x, right: y, target: nil, negatives: y)
    }
  }
}
