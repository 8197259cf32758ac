import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

@Suite struct CosineDotTests {
  @Test(arguments: [true, false])
  func dotLayerValueAndGradient(_ normalize: Bool) throws {
    let a = randomTensor([3, 5], seed: 95, as: Double.self)
    let b = randomTensor([3, 5], seed: 96, as: Double.self)
    let dot = CosineDot(normalize: normalize)
    let (v, pb) = try dot.valueWithPullback(a, b)
    let (_, rows) = Reference.rows(a, b, axis: -1)
    let want = rows.map { normalize ? Reference.cosine($0.0, $0.1, eps: 1e-7) : Reference.dot($0.0, $0.1) }
    #expect(allClose(v, Tensor(want), rtol: 1e-14, atol: 1e-15))
    let w = Tensor<Double>([1, -2, 0.5])
    let (ga, gb) = try pb(w)
    #expect(allClose(ga, finiteDifferenceGradient(a) { try! weightedSum(dot($0, b), w) }, rtol: 1e-6, atol: 1e-8))
    #expect(allClose(gb, finiteDifferenceGradient(b) { try! weightedSum(dot(a, $0), w) }, rtol: 1e-6, atol: 1e-8))
  }

  @Test(arguments: [true, false])
  func keepingTheAxisMatchesFiniteDifferences(normalize: Bool) throws {
    var g = SeededGenerator(seed: 31)
    let layer = CosineDot(normalize: normalize, keepsAxis: true)
    let a = uniformTensor([5, 4], &g)
    let b = uniformTensor([5, 4], &g)
    let (y, pullback) = try layer.valueWithPullback(a, b)
    #expect(y.shape == [5, 1])
    let w = uniformTensor(y.shape, &g)
    let (ga, gb) = try pullback(w)
    let na = numericalGradient(a.scalars) { v in
      weightedSum(w, try! layer(Tensor(shape: [5, 4], scalars: v), b))
    }
    let nb = numericalGradient(b.scalars) { v in
      weightedSum(w, try! layer(a, Tensor(shape: [5, 4], scalars: v)))
    }
    GradientCheck.expectClose(ga.scalars, na, "gradient of the first input")
    GradientCheck.expectClose(gb.scalars, nb, "gradient of the second input")
  }

  @Test func keepingTheAxisHasKerasSemantics() throws {
    let a = try Tensor<Float>(rows: [[1, 0], [1, 1], [0, 0]])
    let b = try Tensor<Float>(rows: [[2, 0], [-1, -1], [1, 1]])
    let y = try CosineDot(keepsAxis: true)(a, b)
    #expect(y.shape == [3, 1])
    #expect(y.scalars == [1, -1, 0])
    #expect(try CosineDot()(a, b).shape == [3])
    #expect(try CosineDot(normalize: false, keepsAxis: true)(a, b).scalars == [2, -2, 0])
    let wrong = Tensor<Float>([1, 1, 1])
    #expect(throws: CosineError.self) { try CosineDot(keepsAxis: true).valueWithPullback(a, b).pullback(wrong) }
  }
}
