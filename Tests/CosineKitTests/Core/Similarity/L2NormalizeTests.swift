import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

@Suite struct L2NormalizeTests {
  @Test(arguments: [([5, 7], -1), ([5, 7], 0), ([2, 3, 4], 1), ([9], 0)] as [([Int], Int)])
  func matchesReferenceAndGradient(_ shape: [Int], _ axis: Int) throws {
    let x = randomTensor(shape, seed: 60, as: Double.self)
    let (y, pb) = try l2NormalizeWithPullback(x, axis: axis)
    let (_, rows) = Reference.rows(x, x, axis: axis)
    // Norms of the result are 1; direction is preserved.
    let (_, yrows) = Reference.rows(y, y, axis: axis)
    for (r, yr) in zip(rows, yrows) {
      #expect(isClose(Reference.norm(yr.0), 1, rtol: 0, atol: 1e-15))
      #expect(isClose(Reference.cosine(r.0, yr.0), 1, rtol: 0, atol: 1e-15))
    }
    let w = randomTensor(shape, seed: 61, as: Double.self)
    let g = try pb(w)
    let fd = finiteDifferenceGradient(x) { try! weightedSum(l2Normalize($0, axis: axis), w) }
    #expect(allClose(g, fd, rtol: 1e-6, atol: 1e-8))
  }

  @Test func zeroStaysZeroAndExtremesAreExact() throws {
    #expect(try l2Normalize(try Tensor<Float>(rows: [[0, 0, 0]])).scalars == [0, 0, 0])
    #expect(try l2Normalize(Tensor<Float>([3e20, 4e20])).scalars == [0.6, 0.8])
    #expect(try l2Normalize(Tensor<Float>([3e-30, 4e-30]), eps: 0).scalars == [0.6, 0.8])
    #expect(
      allClose(try l2Normalize(Tensor<Double>([3e300, 4e300])), Tensor<Double>([0.6, 0.8]), rtol: 2e-16, atol: 0))
    #expect(
      allClose(
        try l2Normalize(Tensor<Double>([3e-310, 4e-310]), eps: 0), Tensor<Double>([0.6, 0.8]), rtol: 1e-9, atol: 0))
    #expect(try l2Normalize(Tensor<Float16>([3, 4])).scalars == [0.6, 0.8])
  }

  @Test func epsFloorsTheNormAndItsGradient() throws {
    let x = Tensor<Double>([1e-4, 2e-4])
    let (y, pb) = try l2NormalizeWithPullback(x, eps: 1e-2)
    #expect(allClose(y, Tensor([1e-2, 2e-2]), rtol: 1e-15, atol: 0))
    #expect(allClose(try pb(Tensor([1, 1])), Tensor([100, 100]), rtol: 1e-15, atol: 0))
    #expect(throws: CosineError.self) { try l2Normalize(x, eps: -1) }
  }
}
