import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

/// Every layer's pullback against central finite differences, in Double.
@Suite struct LayerGradientTests {
  @Test(arguments: Activation.allCases, [true, false])
  func denseMatchesFiniteDifferences(activation: Activation, useBias: Bool) throws {
    var g = SeededGenerator(seed: 11)
    var layer = Dense<Double>(inputSize: 5, outputSize: 4, activation: activation, useBias: useBias, generator: &g)
    if useBias { layer.bias = uniformTensor([4], &g, scale: 0.5) }
    // Inputs away from ReLU's kink: the finite difference of max(0, z) at z ≈ 0 is not its derivative.
    var x = uniformTensor([6, 5], &g)
    for _ in 0..<20 {
      let z = try Dense(weight: layer.weight, bias: layer.bias, activation: .linear)(x)
      if z.scalars.allSatisfy({ abs($0) > 1e-3 }) { break }
      x = uniformTensor([6, 5], &g)
    }
    try GradientCheck.check(layer, input: x)
  }

  @Test func denseAppliesAlongTheLastAxis() throws {
    var g = SeededGenerator(seed: 3)
    let layer = Dense<Double>(inputSize: 3, outputSize: 2, activation: .tanh, generator: &g)
    let x = uniformTensor([2, 4, 3], &g)
    #expect(try layer(x).shape == [2, 4, 2])
    try GradientCheck.check(layer, input: x)
    try GradientCheck.check(layer, input: uniformTensor([3], &g))
  }

  @Test func denseForwardIsXTimesWPlusB() throws {
    let layer = try Dense<Double>(
      weight: Tensor(rows: [[1, 2], [3, 4], [5, 6]]), bias: Tensor([0.5, -1]), activation: .relu)
    let y = try layer(Tensor(rows: [[1, 0, -1], [1, 1, 1]]))
    // [1·1 + 0·3 − 1·5 + 0.5, 1·2 + 0·4 − 1·6 − 1] = [−3.5, −5] → ReLU → 0;  [9.5, 11].
    #expect(y.scalars == [0, 0, 9.5, 11])
  }

  @Test func denseRejectsAWrongInputWidth() throws {
    var g = SeededGenerator(seed: 1)
    let layer = Dense<Float>(inputSize: 3, outputSize: 2, generator: &g)
    #expect(throws: CosineError.self) { try layer(Tensor<Float>(rows: [[1, 2]])) }
    #expect(throws: CosineError.self) { try layer(Tensor<Float>(scalar: 1)) }
  }

  /// Batches large enough to be split across threads, against straightforward loops.
  @Test func largeBatchesMatchNaiveProducts() throws {
    var g = SeededGenerator(seed: 13)
    let (n, k, m) = (300, 48, 40)
    let layer = Dense<Double>(inputSize: k, outputSize: m, activation: .tanh, generator: &g)
    let x = uniformTensor([n, k], &g)
    let up = uniformTensor([n, m], &g)
    let (y, pullback) = try layer.valueWithPullback(x)
    let grads = try pullback(up)
    let w = layer.weight.scalars
    var gz = [Double](repeating: 0, count: n * m)
    for r in 0..<n {
      for j in 0..<m {
        var z = layer.bias!.scalars[j]
        for p in 0..<k { z += x.scalars[r * k + p] * w[p * m + j] }
        let t = tanh(z)
        #expect(abs(y.scalars[r * m + j] - t) <= 1e-12)
        gz[r * m + j] = up.scalars[r * m + j] * (1 - t * t)
      }
    }
    var dx = [Double](repeating: 0, count: n * k)
    var dw = [Double](repeating: 0, count: k * m)
    for r in 0..<n {
      for p in 0..<k {
        for j in 0..<m {
          dx[r * k + p] += gz[r * m + j] * w[p * m + j]
          dw[p * m + j] += x.scalars[r * k + p] * gz[r * m + j]
        }
      }
    }
    GradientCheck.expectClose(grads.input.scalars, dx, tolerance: 1e-12, "input gradient")
    GradientCheck.expectClose(grads.parameters[0].scalars, dw, tolerance: 1e-12, "weight gradient")
    let db = (0..<m).map { j in (0..<n).reduce(0.0) { $0 + gz[$1 * m + j] } }
    GradientCheck.expectClose(grads.parameters[1].scalars, db, tolerance: 1e-12, "bias gradient")
  }

  @Test func glorotUniformInitIsSeededAndBounded() {
    var a = SeededGenerator(seed: 5)
    var b = SeededGenerator(seed: 5)
    let l1 = Dense<Float>(inputSize: 30, outputSize: 20, generator: &a)
    let l2 = Dense<Float>(inputSize: 30, outputSize: 20, generator: &b)
    #expect(l1 == l2)
    let limit = Float((6.0 / 50).squareRoot())
    #expect(l1.weight.scalars.allSatisfy { abs($0) <= limit })
    #expect(l1.weight.scalars.max()! > 0.8 * limit && l1.weight.scalars.min()! < -0.8 * limit)
    #expect(l1.bias!.scalars.allSatisfy { $0 == 0 })
  }

  @Test func l2NormalizeLayerMatchesFiniteDifferences() throws {
    var g = SeededGenerator(seed: 21)
    try GradientCheck.check(L2NormalizeLayer<Double>(), input: uniformTensor([4, 6], &g))
    try GradientCheck.check(L2NormalizeLayer<Double>(axis: 0), input: uniformTensor([3, 2], &g))
  }

  @Test func sequentialMatchesFiniteDifferences() throws {
    var g = SeededGenerator(seed: 41)
    let model = Sequential<Double>(
      Dense(inputSize: 4, outputSize: 6, activation: .tanh, generator: &g),
      ActivationLayer(.linear),
      Dense(inputSize: 6, outputSize: 3, useBias: false, generator: &g),
      L2NormalizeLayer())
    #expect(model.parameterNames == ["0.weight", "0.bias", "2.weight"])
    #expect(model.parameterCount == 4 * 6 + 6 + 6 * 3)
    try GradientCheck.check(model, input: uniformTensor([5, 4], &g))
  }

  @Test func activationLayerMatchesFiniteDifferences() throws {
    var g = SeededGenerator(seed: 51)
    try GradientCheck.check(ActivationLayer<Double>(.tanh), input: uniformTensor([3, 4], &g))
    try GradientCheck.check(ActivationLayer<Double>(.relu), input: Tensor([-2, -0.5, 0.3, 4]))
  }

  @Test func pullbacksRejectAWrongUpstreamShape() throws {
    var g = SeededGenerator(seed: 61)
    let layer = Dense<Double>(inputSize: 2, outputSize: 2, generator: &g)
    let (_, pullback) = try layer.valueWithPullback(uniformTensor([3, 2], &g))
    #expect(throws: CosineError.self) { try pullback(uniformTensor([2, 2], &g)) }
  }

  @Test func floatLayersAgreeWithDouble() throws {
    var g = SeededGenerator(seed: 71)
    let d = Dense<Double>(inputSize: 8, outputSize: 5, activation: .tanh, generator: &g)
    let f = try Dense<Float>(weight: d.weight.converted(), bias: d.bias?.converted(), activation: .tanh)
    let h = try Dense<Float16>(weight: d.weight.converted(), bias: d.bias?.converted(), activation: .tanh)
    let x = uniformTensor([7, 8], &g)
    let yd = try d(x).scalars
    GradientCheck.expectClose(try f(x.converted()).scalars.map(Double.init), yd, tolerance: 1e-6, "Float forward")
    GradientCheck.expectClose(try h(x.converted()).scalars.map(Double.init), yd, tolerance: 4e-3, "Float16 forward")
  }
}
