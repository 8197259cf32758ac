import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The casts between a generic scalar type and its own ``KernelScalar`` witness change only the
/// static type: shapes, bits and the order of a pullback's outputs pass through, and a tensor
/// of another scalar type stops the process.
@Suite struct KernelScalarRetypingTests {
  @Test func retypedKeepsShapeAndBits() throws {
    let x = try Tensor<Float16>(shape: [2, 3], scalars: [1, -2, .infinity, 0x1p-24, -0, .nan])
    let y = x.retyped(Float16.self)
    #expect(y.shape == x.shape)
    #expect(zip(y.scalars, x.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
  }

  /// The two-input form keeps the value and returns the gradients in the witness's order.
  @Test func twoInputPullbackKeepsItsOrder() throws {
    let witness:
      (value: Tensor<Double>, pullback: @Sendable (Tensor<Double>) throws -> (Tensor<Double>, Tensor<Double>)) =
        (Tensor([0.25, -0.5]), { g in (try scaled(g, 2), try scaled(g, -3)) })
    let r: (value: Tensor<Double>, pullback: @Sendable (Tensor<Double>) throws -> (Tensor<Double>, Tensor<Double>)) =
      Double.retyped(witness)
    #expect(r.value.scalars.map(\.bitPattern) == [0.25, -0.5].map(\.bitPattern))
    let (a, b) = try r.pullback(Tensor([1, 4]))
    #expect(a.scalars.map(\.bitPattern) == [2.0, 8.0].map(\.bitPattern))
    #expect(b.scalars.map(\.bitPattern) == [-3.0, -12.0].map(\.bitPattern))
  }

  /// The batch-loss form keeps every part of the gradients.
  @Test func batchLossPullbackKeepsEveryPart() throws {
    let witness: (value: Tensor<Float>, pullback: @Sendable (Tensor<Float>) throws -> BatchLossGradients<Float>) =
      (
        Tensor(scalar: 0.75),
        { g in
          BatchLossGradients(
            first: Tensor([1, 2]), second: Tensor([-3, g.scalars[0]]), negatives: Tensor([5]), scale: 0.125)
        }
      )
    let r: (value: Tensor<Float>, pullback: @Sendable (Tensor<Float>) throws -> BatchLossGradients<Float>) =
      Float.retyped(witness)
    #expect(r.value.scalars.map(\.bitPattern) == [Float(0.75).bitPattern])
    let grads = try r.pullback(Tensor(scalar: 4))
    #expect(grads.first.scalars.map(\.bitPattern) == [Float(1), 2].map(\.bitPattern))
    #expect(grads.second.scalars.map(\.bitPattern) == [Float(-3), 4].map(\.bitPattern))
    #expect(grads.negatives?.scalars.map(\.bitPattern) == [Float(5).bitPattern])
    #expect(grads.scale.bitPattern == (0.125 as Double).bitPattern)
  }

  /// Through a real witness: `l2Normalize` on `Float` retyped for `Float` gives the generic
  /// op's value and gradient within a few ulps of the values' magnitude.
  @Test func oneInputPullbackMatchesTheOp() throws {
    var g = SeededGenerator(seed: 11)
    let x = try Tensor<Float>(shape: [4, 5], scalars: (0..<20).map { _ in Float.random(in: -2...2, using: &g) })
    let upstream = try Tensor<Float>(shape: [4, 5], scalars: (0..<20).map { _ in Float.random(in: -1...1, using: &g) })
    let r: (value: Tensor<Float>, pullback: @Sendable (Tensor<Float>) throws -> Tensor<Float>) = Float.retyped(
      try Float.l2Normalize(x, axis: -1, eps: 1e-12))
    let op = try L2NormalizeOp(x, axis: -1, eps: 1e-12)
    let dx = try r.pullback(upstream)
    let want = try op.pullback(upstream)
    let tolerance = 8 * Float.ulpOfOne * (1 + want.scalars.map(abs).max()!)
    #expect(zip(r.value.scalars, op.value.scalars).allSatisfy { abs($0 - $1) <= 8 * Float.ulpOfOne })
    #expect(zip(dx.scalars, want.scalars).allSatisfy { abs($0 - $1) <= tolerance })
  }

  @Test func anotherScalarTypeStopsTheProcess() async {
    await #expect(processExitsWith: .failure) {
      _ = Tensor<Float>([1, 2]).retyped(Double.self)
    }
  }
}

/// `t` times `c`, element-wise.
private func scaled(_ t: Tensor<Double>, _ c: Double) throws -> Tensor<Double> {
  try Tensor(shape: t.shape, scalars: t.scalars.map { c * $0 })
}
