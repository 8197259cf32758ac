import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Optimizer steps against PyTorch's update rules, evaluated by hand.
@Suite struct OptimizerTests {
  let p0 = Tensor<Double>([1.0, -2.0, 0.5])
  let g1 = Tensor<Double>([0.1, 0.2, -0.3])
  let g2 = Tensor<Double>([-0.4, 0.05, 0.6])

  @Test func plainSGDStepsAgainstTheGradient() throws {
    var sgd = SGD<Double>(learningRate: 0.1)
    var p = [p0]
    try sgd.update(&p, along: [g1])
    GradientCheck.expectClose(p[0].scalars, [0.99, -2.02, 0.53], tolerance: 1e-15, "p")
  }

  @Test func sgdMomentumFollowsPyTorch() throws {
    // torch.optim.SGD(lr=0.1, momentum=0.9): buf₁ = g₁; buf₂ = 0.9·buf₁ + g₂; p −= lr·buf.
    var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
    var p = [p0]
    try sgd.update(&p, along: [g1])
    try sgd.update(&p, along: [g2])
    let expected = (0..<3).map { i -> Double in
      let b1 = g1.scalars[i]
      let b2 = 0.9 * b1 + g2.scalars[i]
      return p0.scalars[i] - 0.1 * b1 - 0.1 * b2
    }
    GradientCheck.expectClose(p[0].scalars, expected, tolerance: 1e-15, "p after two steps")
  }

  @Test func sgdNesterovDampeningAndWeightDecayFollowPyTorch() throws {
    var sgd = SGD<Double>(learningRate: 0.05, momentum: 0.5, weightDecay: 0.01, nesterov: true)
    var p = [p0]
    try sgd.update(&p, along: [g1])
    try sgd.update(&p, along: [g2])
    var expected = p0.scalars
    var buf = [Double](repeating: 0, count: 3)
    for (step, g) in [g1, g2].enumerated() {
      for i in 0..<3 {
        let d = g.scalars[i] + 0.01 * expected[i]
        buf[i] = step == 0 ? d : 0.5 * buf[i] + d
        expected[i] -= 0.05 * (d + 0.5 * buf[i])
      }
    }
    GradientCheck.expectClose(p[0].scalars, expected, tolerance: 1e-15, "nesterov")

    var damped = SGD<Double>(learningRate: 0.1, momentum: 0.9, dampening: 0.5)
    var q = [p0]
    try damped.update(&q, along: [g1])
    try damped.update(&q, along: [g2])
    let exp2 = (0..<3).map { i -> Double in
      let b1: Double = g1.scalars[i]
      let b2: Double = 0.9 * b1 + 0.5 * g2.scalars[i]
      return p0.scalars[i] - 0.1 * b1 - 0.1 * b2
    }
    GradientCheck.expectClose(q[0].scalars, exp2, tolerance: 1e-15, "dampening")
  }

  @Test func adamFollowsPyTorchWithBiasCorrection() throws {
    var adam = Adam<Double>(learningRate: 0.01)
    #expect(adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.eps == 1e-8 && Adam<Float>().learningRate == 1e-3)
    var p = [p0]
    try adam.update(&p, along: [g1])
    try adam.update(&p, along: [g2])
    #expect(adam.step == 2)
    var expected = p0.scalars
    var m = [0.0, 0, 0]
    var v = [0.0, 0, 0]
    for (k, g) in [g1, g2].enumerated() {
      let t = Double(k + 1)
      for i in 0..<3 {
        m[i] = 0.9 * m[i] + 0.1 * g.scalars[i]
        v[i] = 0.999 * v[i] + 0.001 * g.scalars[i] * g.scalars[i]
        let bc1 = 1 - pow(0.9, t)
        let bc2 = 1 - pow(0.999, t)
        expected[i] -= (0.01 / bc1) * m[i] / (v[i].squareRoot() / bc2.squareRoot() + 1e-8)
      }
    }
    GradientCheck.expectClose(p[0].scalars, expected, tolerance: 1e-14, "p after two steps")
    // The first step moves every coordinate by about lr, whatever the gradient's size.
    var fresh = Adam<Double>(learningRate: 0.01)
    var q = [p0]
    try fresh.update(&q, along: [g1.scaled(by: 1000)])
    GradientCheck.expectClose(
      zip(p0.scalars, q[0].scalars).map { abs($0 - $1) }, [0.01, 0.01, 0.01], tolerance: 1e-8, "first step")
  }

  @Test func optimizersUpdateLayersAndRejectMismatches() throws {
    var g = SeededGenerator(seed: 3)
    var layer = Dense<Float>(inputSize: 2, outputSize: 3, generator: &g)
    let before = layer.weight
    var adam = Adam<Float>()
    try adam.update(&layer, along: [Tensor(shape: [2, 3], repeating: 1), Tensor(shape: [3], repeating: 1)])
    #expect(layer.weight != before)
    #expect(throws: CosineError.self) { try adam.update(&layer, along: [Tensor(shape: [2, 3], repeating: 1)]) }
    #expect(throws: CosineError.self) {
      try adam.update(&layer, along: [Tensor(shape: [3, 2], repeating: 1), Tensor(shape: [3], repeating: 1)])
    }
    var other = [Tensor<Float>([1])]
    #expect(throws: CosineError.self) { try adam.update(&other, along: [Tensor([1])]) }
    adam.reset()
    try adam.update(&other, along: [Tensor([1])])
    var bad = SGD<Float>(learningRate: -1)
    #expect(throws: CosineError.self) { try bad.update(&other, along: [Tensor([1])]) }
  }

  private func pow(_ x: Double, _ y: Double) -> Double {
    var r = 1.0
    for _ in 0..<Int(y) { r *= x }
    return r
  }
}
