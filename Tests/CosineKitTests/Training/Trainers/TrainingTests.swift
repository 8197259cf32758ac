import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

@Suite struct TrainingTests {
  /// Pairs whose right rows are a fixed linear map of the left rows plus noise.
  func pairs(_ n: Int, seed: UInt64) -> (Tensor<Float>, Tensor<Float>) {
    var g = SeededGenerator(seed: seed)
    let a = uniformTensor([n, 6], &g)
    let map = uniformTensor([6, 5], &g)
    let b = try! Dense<Double>(weight: map)(a)
    let noisy = b.scalars.map { $0 + 0.05 * (2 * g.nextUniform() - 1) }
    return (a.converted(), try! Tensor<Double>(shape: b.shape, scalars: noisy).converted())
  }

  @Test(arguments: [false, true])
  func lossFallsDuringAShortRun(shared: Bool) throws {
    let (a, b) = pairs(200, seed: 1)
    var g = SeededGenerator(seed: 2)
    let right: Sequential<Float>? =
      shared ? nil : .multilayerPerceptron(sizes: [5, 16, 8], activation: .tanh, generator: &g)
    var model = TwoTowerModel<Float>(
      left: .multilayerPerceptron(sizes: [shared ? 5 : 6, 16, 8], activation: .tanh, generator: &g), right: right)
    let left = shared ? try Dense<Float>(weight: Tensor(shape: [6, 5], repeating: 0.2))(a) : a
    var epochs: [Int] = []
    let losses = try PairTrainer(loss: CosineLoss(.cosineDistance()), epochs: 8, batchSize: 32, learningRate: 1e-2)
      .train(&model, left: left, right: b, target: nil) { epochs.append($0.number) }
    #expect(epochs == Array(1...8))
    #expect(losses.count == 8)
    #expect(losses.last! < 0.5 * losses.first!, "losses: \(losses)")
  }

  @Test func sharedTowerGradientSumsBothSides() throws {
    var g = SeededGenerator(seed: 5)
    let tower = Sequential<Double>.multilayerPerceptron(sizes: [3, 4, 2], activation: .tanh, generator: &g)
    let a = uniformTensor([5, 3], &g)
    let b = uniformTensor([5, 3], &g)
    let loss = CosineLoss(.cosineDistance())
    let model = TwoTowerModel(left: tower, right: nil)
    let (_, grads) = try model.lossAndGradients(left: a.converted(), right: b.converted(), target: nil, loss: loss)
    let flat = model.parameters.flatMap(\.scalars)
    let numeric = numericalGradient(flat) { v in
      var m = tower
      var offset = 0
      m.parameters = m.parameters.map { p in
        defer { offset += p.count }
        return try! Tensor(shape: p.shape, scalars: Array(v[offset..<(offset + p.count)]))
      }
      return Double(try! loss(m(a), m(b)).scalars[0])
    }
    GradientCheck.expectClose(grads.flatMap(\.scalars), numeric, "shared tower gradient")
  }

  @Test func trainerRejectsBadInput() throws {
    var g = SeededGenerator(seed: 6)
    var model = TwoTowerModel<Float>(
      left: .multilayerPerceptron(sizes: [2, 2], generator: &g),
      right: .multilayerPerceptron(sizes: [2, 2], generator: &g))
    let a = try Tensor<Float>(rows: [[1, 2], [3, 4]])
    let b = try Tensor<Float>(rows: [[1, 2]])
    let trainer = PairTrainer(loss: CosineLoss(.embedding()), epochs: 1)
    #expect(throws: CosineError.self) { try trainer.train(&model, left: a, right: b, target: nil) }
    #expect(throws: CosineError.self) { try trainer.train(&model, left: a, right: a, target: nil) }
    #expect(throws: CosineError.self) { try trainer.train(&model, left: a, right: a, target: Tensor([1, 0.5])) }
    #expect(throws: CosineError.self) { try trainer.train(&model, left: a, right: a, target: Tensor([1])) }
    _ = try trainer.train(&model, left: a, right: a, target: Tensor([1, -1]))
  }

  @Test func seededGeneratorIsReproducibleAndUniform() {
    var a = SeededGenerator(seed: 9)
    var b = SeededGenerator(seed: 9)
    var c = SeededGenerator(seed: 10)
    let xs = (0..<5).map { _ in a.next() }
    #expect(xs == (0..<5).map { _ in b.next() })
    #expect(xs != (0..<5).map { _ in c.next() })
    var counts = [Int](repeating: 0, count: 10)
    for _ in 0..<10_000 { counts[a.nextInt(below: 10)] += 1 }
    #expect(counts.allSatisfy { (850...1150).contains($0) }, "\(counts)")
    let p = a.permutation(50)
    #expect(p.sorted() == Array(0..<50) && p != Array(0..<50))
    let u = (0..<1000).map { _ in a.nextUniform() }
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
  }

  @Test func tensorArithmeticBroadcasts() throws {
    let a = try Tensor<Float>(rows: [[1, 2], [3, 4]])
    #expect((a + .zero) == a)
    #expect((Tensor<Float>.zero + a) == a)
    #expect(try a.adding(Tensor([10, 20])).scalars == [11, 22, 13, 24])
    #expect((a - a).scalars == [0, 0, 0, 0])
    #expect(a.scaled(by: 2).scalars == [2, 4, 6, 8])
    #expect(a.sum().scalarized() == 10)
    #expect(throws: CosineError.self) { try a.adding(Tensor([1, 2, 3])) }
  }
}
