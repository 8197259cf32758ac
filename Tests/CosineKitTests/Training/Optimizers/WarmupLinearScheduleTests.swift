import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// ``WarmupLinearSchedule``: the rates of transformers' `get_linear_schedule_with_warmup`, and
/// the steps it makes its base optimizer take.
@Suite struct WarmupLinearScheduleTests {
  /// transformers' `lr_lambda`, written out in Double: s / w during warm-up, then
  /// max(0, (T − s) / max(1, T − w)).
  static func reference(_ s: Int, warmup w: Int, total t: Int) -> Double {
    if s < w { return Double(s) / Double(max(1, w)) }
    return max(0, Double(t - s) / Double(max(1, t - w)))
  }

  @Test(arguments: [(2, 6), (0, 5), (3, 3), (1, 1), (0, 0), (4, 10)])
  func ratesFollowWarmupThenLinearDecay(warmup: Int, total: Int) {
    let s = WarmupLinearSchedule(Adam<Float>(learningRate: 0.3), warmupSteps: warmup, totalSteps: total)
    for step in 0..<(total + 3) {
      let expected = 0.3 * Self.reference(step, warmup: warmup, total: total)
      #expect(abs(s.rate(atStep: step) - expected) <= 1e-15, "step \(step)")
    }
    // Hand-computed: warm-up 2 of 6 steps at peak 0.3.
    if warmup == 2 && total == 6 {
      let hand = [0, 0.15, 0.3, 0.225, 0.15, 0.075, 0, 0]
      for (i, r) in hand.enumerated() { #expect(abs(s.rate(atStep: i) - r) <= 1e-15) }
    }
  }

  @Test func baseOptimizerTakesTheScheduledSteps() throws {
    var g = SeededGenerator(seed: 3)
    let shapes = [[3, 4], [4]]
    var p = try shapes.map { s in
      try Tensor<Double>(shape: s, scalars: (0..<s.reduce(1, *)).map { _ in g.nextUniform() - 0.5 })
    }
    var q = p
    var scheduled = WarmupLinearSchedule(Adam<Double>(learningRate: 0.05), warmupSteps: 2, totalSteps: 5)
    var manual = Adam<Double>(learningRate: 0.05)
    for step in 0..<7 {
      let grads = try shapes.map { s in
        try Tensor<Double>(shape: s, scalars: (0..<s.reduce(1, *)).map { _ in g.nextUniform() - 0.5 })
      }
      let before = p
      try scheduled.update(&p, along: grads)
      manual.learningRate = 0.05 * Self.reference(step, warmup: 2, total: 5)
      try manual.update(&q, along: grads)
      for (a, b) in zip(p, q) {
        for (x, y) in zip(a.scalars, b.scalars) { #expect(abs(x - y) <= 1e-14 * max(1, abs(y))) }
      }
      // Step 0 (warm-up from 0) and the steps past the end leave the parameters where they were.
      if step == 0 || step >= 5 {
        for (a, b) in zip(p, before) { #expect(a.scalars == b.scalars) }
      } else {
        #expect(zip(p, before).contains { $0.scalars != $1.scalars })
      }
    }
    #expect(scheduled.step == 7)
    scheduled.reset()
    #expect(scheduled.step == 0 && scheduled.base.step == 0)
  }

  @Test func invalidStepCountsThrowAndLeaveParametersAlone() throws {
    var p = [Tensor<Float>([1, 2])]
    var s = WarmupLinearSchedule(Adam<Float>(learningRate: 0.1), warmupSteps: 4, totalSteps: 3)
    #expect(throws: CosineError.self) { try s.update(&p, along: [Tensor<Float>([1, 1])]) }
    s.totalSteps = -1
    s.warmupSteps = -2
    #expect(throws: CosineError.self) { try s.update(&p, along: [Tensor<Float>([1, 1])]) }
    #expect(p[0].scalars == [1, 2] && s.step == 0)
  }

  @Test func adapterRecipeCountsItsSteps() throws {
    var r = AdapterTraining()
    #expect(r.epochs == 10 && r.batchSize == 256 && r.learningRate == 1e-3 && r.warmupFraction == 0.1)
    #expect(r.steps(pairs: 2800) == 10 * 11)
    #expect(r.steps(pairs: 256) == 10 && r.steps(pairs: 257) == 20 && r.steps(pairs: 0) == 0)
    let o = try r.optimizer(pairs: 2800, scalar: Float.self)
    #expect(o.totalSteps == 110 && o.warmupSteps == 11 && o.learningRate == 1e-3)
    r.warmupFraction = 1.5
    #expect(throws: CosineError.self) { try r.optimizer(pairs: 10, scalar: Float.self) }
    r.warmupFraction = .nan
    #expect(throws: CosineError.self) { try r.optimizer(pairs: 10, scalar: Float.self) }
  }
}
