import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

/// Identity adapters (full-rank and low-rank) and their gradients.
@Suite struct AdapterTests {
  @Test(arguments: [nil, 1, 4] as [Int?], [false, true])
  func untrainedAdapterLeavesEmbeddingsUnchanged(rank: Int?, shared: Bool) throws {
    var g = SeededGenerator(seed: 3)
    let q = uniformTensor([9, 6], &g, scale: 3).converted(to: Float.self)
    let d = uniformTensor([9, 6], &g, scale: 3).converted(to: Float.self)
    let model: TwoTowerModel<Float> = try AdapterTraining.identityModel(
      width: 6, rank: rank, shared: shared, generator: &g)
    #expect(try model.embedLeft(q) == q)
    #expect(try model.embedRight(d) == d)
    #expect(model.isShared == shared)
  }

  @Test func lowRankAdapterStartsAtIdentityWithNonzeroFactor() throws {
    var g = SeededGenerator(seed: 1)
    let a = LowRankAdapter<Double>(width: 5, rank: 2, generator: &g)
    #expect(a.u.scalars.contains { $0 != 0 } && a.v.scalars.allSatisfy { $0 == 0 })
    let x = uniformTensor([4, 5], &g)
    #expect(try a(x) == x)
    let dense = a.dense()
    #expect(dense.weight == (try Tensor<Double>(shape: [5, 5], scalars: (0..<25).map { $0 % 6 == 0 ? 1 : 0 })))
  }

  @Test(arguments: [true, false])
  func lowRankGradientMatchesFiniteDifferences(useBias: Bool) throws {
    var g = SeededGenerator(seed: 11)
    let a = try LowRankAdapter<Double>(
      u: uniformTensor([6, 3], &g), v: uniformTensor([6, 3], &g),
      bias: useBias ? uniformTensor([6], &g) : nil)
    try GradientCheck.check(a, input: uniformTensor([5, 6], &g))
    try GradientCheck.check(a, input: uniformTensor([2, 3, 6], &g))  // batch of any rank
  }

  @Test func lowRankForwardEqualsItsDenseForm() throws {
    var g = SeededGenerator(seed: 5)
    let a = try LowRankAdapter<Double>(
      u: uniformTensor([7, 2], &g), v: uniformTensor([7, 2], &g), bias: uniformTensor([7], &g))
    let x = uniformTensor([4, 7], &g)
    let y = try a(x)
    // Reference in Double: x·(I + U·Vᵀ) + b, element by element.
    for r in 0..<4 {
      for j in 0..<7 {
        var s = a.bias!.scalars[j] + x.scalars[r * 7 + j]
        for i in 0..<7 {
          var w = 0.0
          for t in 0..<2 { w += a.u.scalars[i * 2 + t] * a.v.scalars[j * 2 + t] }
          s += x.scalars[r * 7 + i] * w
        }
        #expect(abs(y.scalars[r * 7 + j] - s) <= 1e-12 * (1 + abs(s)))
      }
    }
    #expect(allClose(try a.dense()(x), y, rtol: 1e-12, atol: 1e-12))
  }

  @Test func adapterSavesAndLoadsAsItsDenseForm() throws {
    var g = SeededGenerator(seed: 9)
    let a = try LowRankAdapter<Double>(
      u: uniformTensor([4, 2], &g), v: uniformTensor([4, 2], &g), bias: uniformTensor([4], &g))
    let file = ModelFile(["tower": Sequential<Double>(a)])
    let loaded = try ModelFile<Double>(decoding: try file.encoded())["tower"]!
    let x = uniformTensor([3, 4], &g)
    #expect(allClose(try loaded(x), try a(x), rtol: 1e-12, atol: 1e-12))
  }

  @Test func badShapesAndRanksAreRejected() throws {
    var g = SeededGenerator(seed: 2)
    #expect(throws: CosineError.self) {
      try LowRankAdapter<Double>(u: uniformTensor([4, 2], &g), v: uniformTensor([4, 3], &g))
    }
    #expect(throws: CosineError.self) {
      try LowRankAdapter<Double>(
        u: uniformTensor([4, 2], &g), v: uniformTensor([4, 2], &g), bias: uniformTensor([3], &g))
    }
    let a = LowRankAdapter<Double>(width: 4, rank: 2, generator: &g)
    #expect(throws: CosineError.self) { try a(uniformTensor([2, 5], &g)) }
    #expect(throws: CosineError.self) {
      let _: TwoTowerModel<Float> = try AdapterTraining.identityModel(width: 4, rank: 5, shared: false, generator: &g)
    }
    #expect(throws: CosineError.self) {
      let _: TwoTowerModel<Float> = try AdapterTraining.identityModel(width: 4, rank: 0, shared: false, generator: &g)
    }
  }
}
