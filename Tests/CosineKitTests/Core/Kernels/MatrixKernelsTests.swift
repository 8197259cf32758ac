import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The training products (`MatrixKernels`, on the GEMM of `CCosineKernels`) against float64 sums of
/// the same (rounded) inputs, for every scalar type, on shapes that cross the GEMM's register
/// blocks (6 rows × 64 columns), its depth blocks (256) and its row blocks (144).
@Suite struct MatrixKernelsTests {
  static let shapes = [(1, 1, 1), (7, 5, 3), (150, 300, 70), (13, 257, 129), (0, 4, 3), (3, 0, 4), (2, 3, 0)]

  /// Σ_p a(i, p)·b(p, j) in float64 and Σ_p |a(i, p)·b(p, j)|, for an accessor per operand.
  func reference(
    _ n: Int, _ k: Int, _ m: Int, _ a: (Int, Int) -> Double, _ b: (Int, Int) -> Double
  ) -> (sums: [Double], magnitudes: [Double]) {
    var s = [Double](repeating: 0, count: n * m)
    var q = s
    for i in 0..<n {
      for j in 0..<m {
        for p in 0..<k {
          let t = a(i, p) * b(p, j)
          s[i * m + j] += t
          q[i * m + j] += Swift.abs(t)
        }
      }
    }
    return (s, q)
  }

  /// Every element within the error bound of a chain of k fused multiply-adds in the working
  /// type (unit roundoff u) plus the final rounding to the storage type (unit roundoff v).
  func check<T: TensorScalar>(
    _ got: [T], _ want: (sums: [Double], magnitudes: [Double]), k: Int, u: Double, v: Double,
    _ what: String
  ) {
    #expect(got.count == want.sums.count, "\(what): count")
    for (i, g) in got.enumerated() {
      let bound = Double(k + 1) * u * want.magnitudes[i] + v * Swift.abs(want.sums[i]) + 1e-300
      #expect(
        Swift.abs(Double(g) - want.sums[i]) <= bound,
        "\(what) element \(i): \(g) vs \(want.sums[i]) (bound \(bound))")
    }
  }

  func run<T: TensorScalar>(_: T.Type, u: Double, v: Double, n: Int, k: Int, m: Int) {
    let x = randomTensor([n, k], seed: 11, as: T.self).scalars
    let w = randomTensor([k, m], seed: 12, as: T.self).scalars
    let bias = randomTensor([m], seed: 13, as: T.self).scalars
    let g = randomTensor([n, m], seed: 14, as: T.self).scalars
    let xd = x.map { Double($0) }
    let wd = w.map { Double($0) }
    let gd = g.map { Double($0) }

    // y = x·w + b: the bias is one more term of the chain.
    let y = MatrixKernels.affine(x, rows: n, inner: k, w, outer: m, bias: bias)
    var ref = reference(
      n, k + 1, m, { i, p in p < k ? xd[i * k + p] : 1 }, { p, j in p < k ? wd[p * m + j] : Double(bias[j]) })
    check(y, ref, k: k + 1, u: u, v: v, "\(T.self) x·w + b [\(n), \(k), \(m)]")
    let y0 = MatrixKernels.affine(x, rows: n, inner: k, w, outer: m, bias: nil)
    ref = reference(n, k, m, { i, p in xd[i * k + p] }, { p, j in wd[p * m + j] })
    check(y0, ref, k: k, u: u, v: v, "\(T.self) x·w [\(n), \(k), \(m)]")

    // dx = g·wᵀ ([n, m]·[m, k]) and dw = xᵀ·g ([k, n]·[n, m]).
    let dx = MatrixKernels.timesTransposed(g, rows: n, outer: m, w, inner: k)
    ref = reference(n, m, k, { i, p in gd[i * m + p] }, { p, j in wd[j * m + p] })
    check(dx, ref, k: m, u: u, v: v, "\(T.self) g·wᵀ [\(n), \(k), \(m)]")
    let dw = MatrixKernels.transposedTimes(x, rows: n, inner: k, g, outer: m)
    ref = reference(k, n, m, { i, p in xd[p * k + i] }, { p, j in gd[p * m + j] })
    check(dw, ref, k: n, u: u, v: v, "\(T.self) xᵀ·g [\(n), \(k), \(m)]")
  }

  @Test(arguments: shapes)
  func float(_ n: Int, _ k: Int, _ m: Int) { run(Float.self, u: 0x1p-24, v: 0, n: n, k: k, m: m) }

  @Test(arguments: shapes)
  func double(_ n: Int, _ k: Int, _ m: Int) { run(Double.self, u: 0x1p-53, v: 0, n: n, k: k, m: m) }

  /// Float16 is computed in Float and rounded once.
  @Test(arguments: shapes)
  func float16(_ n: Int, _ k: Int, _ m: Int) { run(Float16.self, u: 0x1p-24, v: 0x1p-11, n: n, k: k, m: m) }

  /// The rows split across threads give bitwise the results of one thread.
  @Test func threadsDoNotChangeResults() {
    let (n, k, m) = (300, 200, 90)
    let x = randomTensor([n, k], seed: 21, as: Float.self).scalars
    let w = randomTensor([k, m], seed: 22, as: Float.self).scalars
    let g = randomTensor([n, m], seed: 23, as: Float.self).scalars
    func all() -> [[Float]] {
      [
        MatrixKernels.affine(x, rows: n, inner: k, w, outer: m, bias: nil),
        MatrixKernels.timesTransposed(g, rows: n, outer: m, w, inner: k),
        MatrixKernels.transposedTimes(x, rows: n, inner: k, g, outer: m),
      ]
    }
    let before = CosineKitThreads.count
    defer { CosineKitThreads.count = before }
    CosineKitThreads.count = 1
    let one = all()
    CosineKitThreads.count = 2
    #expect(all() == one)
  }
}
