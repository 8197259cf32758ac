import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

@Suite struct MeanSquaredErrorTests {
  /// Keras: mean over the last axis, weighted, then Σ/N (mean), Σ (sum) or per sample (none).
  func reference(_ t: Tensor<Double>, _ p: Tensor<Double>, _ w: [Double]?, _ r: Reduction) -> [Double] {
    let d = t.shape.last!
    let n = t.count / d
    let per = (0..<n).map { s in
      (0..<d).reduce(0.0) { acc, j in
        let e = p.scalars[s * d + j] - t.scalars[s * d + j]
        return acc + e * e
      } / Double(d) * (w?[s] ?? 1)
    }
    switch r {
    case .none: return per
    case .sum: return [per.reduce(0, +)]
    case .mean: return [per.reduce(0, +) / Double(n)]
    }
  }

  @Test(arguments: Reduction.allCases)
  func valuesAndGradientsMatchTheReference(_ reduction: Reduction) throws {
    var g = SeededGenerator(seed: 9)
    let t = uniformTensor([6, 4], &g)
    let p = uniformTensor([6, 4], &g)
    let w = uniformTensor([6], &g)
    let loss = MeanSquaredError(reduction: reduction)
    let (v, gt, gp) = try loss.valueWithGradient(t, p, sampleWeight: w)
    GradientCheck.expectClose(v.scalars, reference(t, p, w.scalars, reduction), tolerance: 1e-12, "value")
    let numP = numericalGradient(p.scalars) { x in
      reference(t, try! Tensor(shape: p.shape, scalars: x), w.scalars, reduction).reduce(0, +)
    }
    let numT = numericalGradient(t.scalars) { x in
      reference(try! Tensor(shape: t.shape, scalars: x), p, w.scalars, reduction).reduce(0, +)
    }
    GradientCheck.expectClose(gp.scalars, numP, "gradient (pred)")
    GradientCheck.expectClose(gt.scalars, numT, "gradient (true)")
  }

  @Test func rankOneIsOneValuePerSampleAndMatchesTorchMSELoss() throws {
    let labels: Tensor<Float> = [1, 0, 0.5]
    let pred: Tensor<Float> = [0.5, 0.5, 0.5]
    // nn.MSELoss()(pred, labels) = mean of squared errors = (0.25 + 0.25 + 0) / 3.
    #expect(isClose(Double(try MeanSquaredError()(labels, pred).item()), 0.5 / 3, rtol: 1e-7, atol: 0))
    #expect(try MeanSquaredError(reduction: .none)(labels, pred).scalars == [0.25, 0.25, 0])
    #expect(try MeanSquaredError(reduction: .sum)(labels, pred).item() == 0.5)
  }

  @Test func edgeCases() throws {
    let empty = Tensor<Float>.zeros([0, 3])
    #expect(try MeanSquaredError()(empty, empty).item() == 0)
    #expect(try MeanSquaredError(reduction: .none)(empty, empty).shape == [0])
    #expect(
      try MeanSquaredError(reduction: .none)(Tensor<Float>.zeros([2, 0]), Tensor<Float>.zeros([2, 0]))
        .scalars.allSatisfy { $0.isNaN })
    #expect(throws: CosineError.shapeMismatch(operation: "mean squared error", [2, 3], [4])) {
      try MeanSquaredError()(Tensor<Float>.zeros([2, 3]), Tensor<Float>.zeros([4]))
    }
    #expect(throws: CosineError.self) {
      try MeanSquaredError()(Tensor<Float>.zeros([2, 3]), Tensor<Float>.zeros([2, 3]), sampleWeight: [1, 2, 3])
    }
    // Broadcasting: one target row for every prediction row; its gradient sums over the rows.
    let (_, gt, _) = try MeanSquaredError(reduction: .sum).valueWithGradient(
      Tensor<Double>([0, 0]), Tensor<Double>([[1, 2], [3, 4]]))
    #expect(gt.shape == [2] && gt.scalars == [-(1.0 + 3), -(2.0 + 4)])
  }
}
