import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The forward pass that computes the gradients as it goes (``MultipleNegativesRankingLoss``'s
/// `valueWithGradient`) against the two passes of the pullback, which the finite-difference
/// tests check.
@Suite struct MNRLFusedTests {
  typealias L = MultipleNegativesRankingLoss

  @Test(arguments: [Reduction.mean, .sum], [0, 1, 2])
  func fusedEqualsTwoPasses(_ reduction: Reduction, _ blocks: Int) throws {
    let (a, p, n) = MNRLTests.inputs(b: 130, d: 9, blocks: blocks, seed: 400)
    var loss = try L(scale: 13, reduction: reduction)
    for tile in [(14, 16), (28, 32), (1, 1)] {
      loss.tileRows = tile.0
      loss.tileColumns = tile.1
      let engine = try MNRLEngine<Double, Double>(loss, a, p, n, blocks: blocks, gradients: true)
      #expect(engine.fusedEligible)
      let (v1, pb1) = try loss.valueWithPullback(a, p, negatives: n, target: nil)
      var fused = loss
      fused.fusesGradients = true
      let (v2, pb2) = try fused.valueWithPullback(a, p, negatives: n, target: nil)
      #expect(isClose(v2.scalars[0], v1.scalars[0], rtol: 1e-13, atol: 1e-13))
      // The fused pass scales its unit gradients by the upstream gradient.
      for g in [1.0, -0.7] {
        let g1 = try pb1(Tensor(scalar: g))
        let g2 = try pb2(Tensor(scalar: g))
        #expect(allClose(g2.first, g1.first, rtol: 1e-11, atol: 1e-13))
        #expect(allClose(g2.second, g1.second, rtol: 1e-11, atol: 1e-13))
        if blocks > 0 {
          #expect(allClose(g2.negatives!, g1.negatives!, rtol: 1e-11, atol: 1e-13))
        } else {
          #expect(g2.negatives == nil)
        }
        #expect(isClose(g2.scale, g1.scale, rtol: 1e-11, atol: 1e-13))
      }
      // The public entry point takes the fused pass, in Float too.
      let (v3, g3) = try loss.valueWithGradient(a, p, negatives: n)
      #expect(isClose(v3.scalars[0], v1.scalars[0], rtol: 1e-13, atol: 1e-13))
      #expect(allClose(g3.first, try pb1(Tensor(scalar: 1)).first, rtol: 1e-11, atol: 1e-13))
      let (vf, gf) = try loss.valueWithGradient(
        a.converted(to: Float.self), p.converted(to: Float.self), negatives: n?.converted(to: Float.self))
      let gd = try pb1(Tensor(scalar: 1))
      #expect(isClose(Double(vf.scalars[0]), v1.scalars[0], rtol: 1e-5, atol: 1e-5))
      #expect(allClose(gf.first, gd.first, rtol: 1e-3, atol: 1e-4))
      #expect(allClose(gf.second, gd.second, rtol: 1e-3, atol: 1e-4))
    }
  }

  @Test func fusedPassIsSkippedWhereItDoesNotApply() throws {
    let (a, p, n) = MNRLTests.inputs(b: 61, d: 9, blocks: 1, seed: 401)
    var loss = try L(scale: 13)
    loss.tileRows = 14
    var none = loss
    none.reduction = .none
    var twoDirections = try L(directions: [.queryToDoc, .docToQuery])
    twoDirections.tileRows = 14
    var hard = try L(hardnessMode: .hardNegatives, hardnessStrength: 1)
    hard.tileRows = 14
    var small = loss
    small.privateAccumulatorLimit = 0
    for l in [none, twoDirections, hard, small] {
      let engine = try MNRLEngine<Double, Double>(l, a, p, n, blocks: 1, gradients: true)
      #expect(!engine.fusedEligible)
    }
    // Those still give the two passes' gradients through valueWithGradient.
    let (_, g1) = try hard.valueWithGradient(a, p, negatives: n)
    let (_, pb) = try hard.valueWithPullback(a, p, negatives: n, target: nil)
    #expect(allClose(g1.first, try pb(Tensor(scalar: 1)).first, rtol: 1e-12, atol: 1e-14))
  }
}
