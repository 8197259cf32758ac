import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct TensorMatrixProductTests {
  func reference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> [Double] {
    let (n, k, m) = (a.shape[0], a.shape[1], b.shape[1])
    return (0..<n * m).map { o in (0..<k).reduce(0.0) { $0 + a[o / m, $1] * b[$1, o % m] } }
  }

  @Test(arguments: [(1, 1, 1), (3, 4, 5), (17, 33, 9), (0, 3, 2), (2, 0, 3), (64, 128, 70)])
  func matchesTheReference(_ n: Int, _ k: Int, _ m: Int) {
    let a = randomTensor([n, k], seed: 1, as: Double.self)
    let b = randomTensor([k, m], seed: 2, as: Double.self)
    let c = matmul(a, b)
    #expect(c.shape == [n, m])
    #expect(allClose(c, try! Tensor(shape: [n, m], scalars: reference(a, b)), rtol: 1e-12, atol: 1e-12))
    let cf = matmul(a.converted(to: Float.self), b.converted(to: Float.self))
    // Float: each product and sum rounds, error below k·2⁻²⁴ relative to Σ|a||b|.
    #expect(allClose(cf, c, rtol: 1e-5, atol: Double(k) * 1e-6))
  }

  @Test func vectorsAsInNumPy() {
    let a = Tensor<Float>([[1, 2], [3, 4]])
    let v: Tensor<Float> = [1, 1]
    #expect(matmul(a, v) == [3, 7])
    #expect(matmul(v, a) == [4, 6])
    #expect(matmul(v, v).shape == [] && matmul(v, v).item() == 2)
    #expect(matmul(a, a.transposed()) == Tensor<Float>([[5, 11], [11, 25]]))
  }

  @Test func mismatchThrowsNamingBothShapes() {
    let a = Tensor<Float>.zeros([2, 3])
    #expect(throws: CosineError.shapeMismatch(operation: "matmul (inner dimensions differ)", [2, 3], [2, 3])) {
      try matmulChecked(a, a)
    }
    #expect(throws: CosineError.self) { try matmulChecked(Tensor<Float>(scalar: 1), a) }
    #expect(throws: CosineError.self) { try matmulChecked(Tensor<Float>.zeros([1, 2, 3]), a) }
  }
}
