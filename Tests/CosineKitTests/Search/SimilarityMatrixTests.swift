import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The GEMM path of the similarity matrix against an independent Double reference.
@Suite struct SimilarityMatrixTests {
  /// Shapes that are not multiples of any tile size (14 × 32 register blocks, 256-long K slices).
  static let shapes: [(m: Int, n: Int, d: Int)] = [
    (1, 1, 1), (3, 5, 1), (15, 33, 7), (29, 65, 300), (14, 32, 256), (1, 100, 17), (40, 3, 513),
  ]

  func reference(_ a: Tensor<Double>, _ b: Tensor<Double>, eps: Double = 1e-8) -> [Double] {
    let d = a.shape[1]
    var out: [Double] = []
    for i in 0..<a.shape[0] {
      for j in 0..<b.shape[0] {
        out.append(
          Reference.cosine(Array(a.scalars[i * d..<(i + 1) * d]), Array(b.scalars[j * d..<(j + 1) * d]), eps: eps))
      }
    }
    return out
  }

  @Test(arguments: shapes.indices)
  func floatMatchesDoubleReference(_ s: Int) throws {
    let (m, n, d) = Self.shapes[s]
    let a = withZeroRows(randomTensor([m, d], seed: UInt64(10 + s), as: Float.self), m > 2 ? [2] : [])
    let b = randomTensor([n, d], seed: UInt64(20 + s), as: Float.self)
    let got = try cosineSimilarityMatrix(a, b)
    #expect(got.shape == [m, n])
    let want = reference(a.converted(to: Double.self), b.converted(to: Double.self))
    // Float accumulation of unit vectors: |error| ≤ D·2⁻²⁴ in the worst case.
    let tol = max(1e-6, Double(d) * 0x1p-24)
    for (g, w) in zip(got.scalars, want) { #expect(isClose(Double(g), w, rtol: 0, atol: tol)) }
    #expect(got.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
    if m > 2 { #expect(got.scalars[2 * n..<3 * n].allSatisfy { $0 == 0 }) }
  }

  @Test(arguments: shapes.indices)
  func doubleMatchesDoubleReference(_ s: Int) throws {
    let (m, n, d) = Self.shapes[s]
    let a = randomTensor([m, d], seed: UInt64(30 + s), as: Double.self)
    let b = withZeroRows(randomTensor([n, d], seed: UInt64(40 + s), as: Double.self), n > 1 ? [n - 1] : [])
    let got = try cosineSimilarityMatrix(a, b)
    #expect(got.shape == [m, n])
    for (g, w) in zip(got.scalars, reference(a, b)) { #expect(isClose(g, w, rtol: 1e-13, atol: 1e-14)) }
  }

  @Test(arguments: shapes.indices)
  func float16MatchesDoubleReference(_ s: Int) throws {
    let (m, n, d) = Self.shapes[s]
    let a = randomTensor([m, d], seed: UInt64(50 + s), as: Float16.self)
    let b = randomTensor([n, d], seed: UInt64(60 + s), as: Float16.self)
    let got = try cosineSimilarityMatrix(a, b)
    #expect(got.shape == [m, n])
    for (g, w) in zip(got.scalars, reference(a.converted(to: Double.self), b.converted(to: Double.self))) {
      #expect(isClose(Double(g), w, rtol: 0, atol: 1e-3))
    }
  }

  @Test func emptyAndZeroLengthInputs() throws {
    let e = try Tensor<Float>(shape: [0, 4], scalars: [])
    let x = randomTensor([3, 4], seed: 1, as: Float.self)
    #expect(try cosineSimilarityMatrix(e, x).shape == [0, 3])
    #expect(try cosineSimilarityMatrix(x, e).shape == [3, 0])
    let z = try Tensor<Double>(shape: [2, 0], scalars: [])
    let r = try cosineSimilarityMatrix(z, try Tensor<Double>(shape: [3, 0], scalars: []))
    #expect(r.shape == [2, 3] && r.scalars.allSatisfy { $0 == 0 })
  }

  @Test func rankOneInputsAreOneRow() throws {
    let v = Tensor<Float>([1, 2, 3])
    let m = try Tensor<Float>(rows: [[1, 2, 3], [-1, -2, -3], [0, 0, 0]])
    let r = try cosineSimilarityMatrix(v, m)
    #expect(r.shape == [1, 3])
    #expect(r.scalars == [1, -1, 0])
  }

  @Test func epsZeroGivesZeroForZeroRowsAndNaNPropagates() throws {
    let a = try Tensor<Float>(rows: [[0, 0], [1, 0], [.nan, 1]])
    let b = try Tensor<Float>(rows: [[1, 1], [0, 0]])
    let r = try cosineSimilarityMatrix(a, b, eps: 0)
    #expect(r[0, 0] == 0 && r[1, 1] == 0 && r[0, 1] == 0 && r[2, 0].isNaN && r[2, 1].isNaN)
    #expect(isClose(Double(r[1, 0]), 0.5.squareRoot(), rtol: 1e-7, atol: 0))
    let d = try cosineSimilarityMatrix(a, b)
    #expect(d[0, 0] == 0 && d[1, 1] == 0)
  }

  @Test func hugeAndTinyRowsDoNotOverflow() throws {
    // Norms are taken in Double (rescaled for Double rows), so extreme rows still score 1.
    let a = try Tensor<Float>(rows: [[3e38, 3e38, -3e38], [1e-44, 0, 0]])
    let b = try Tensor<Float>(rows: [[1, 1, -1], [1, 0, 0]])
    let r = try cosineSimilarityMatrix(a, b, eps: 0)
    #expect(isClose(Double(r[0, 0]), 1, rtol: 0, atol: 2e-7) && r[1, 1] == 1)
    let c = try Tensor<Double>(rows: [[1e300, 1e300], [1e-300, 0]])
    let s = try cosineSimilarityMatrix(c, try Tensor<Double>(rows: [[1, 1], [1, 0]]), eps: 0)
    #expect(isClose(s[0, 0], 1, rtol: 1e-15, atol: 0) && isClose(s[1, 1], 1, rtol: 1e-15, atol: 0))
    // With the default eps the tiny row is floored: x / 1e-8.
    let tiny = Double(a[1, 0]) / 1e-8
    #expect(isClose(Double(try cosineSimilarityMatrix(a, b)[1, 1]), tiny, rtol: 1e-6, atol: 0))
  }

  @Test func shapeErrorsNameBothShapes() throws {
    let a = randomTensor([2, 3], seed: 1, as: Float.self)
    let b = randomTensor([2, 4], seed: 2, as: Float.self)
    #expect(throws: CosineError.self) { try cosineSimilarityMatrix(a, b) }
    #expect(throws: CosineError.self) { try cosineSimilarityMatrix(a, a, eps: -1) }
    #expect(throws: CosineError.self) {
      try cosineSimilarityMatrix(randomTensor([2, 2, 3], seed: 3, as: Float.self), a)
    }
  }

  @Test func threadCountsAndInstructionSetsGiveTheSameBits() throws {
    // Large enough to be split over threads, on both the row and the column side.
    let a = randomTensor([100, 72], seed: 5, as: Float.self)
    let b = randomTensor([1000, 72], seed: 6, as: Float.self)
    let one = try withThreads(1) { try cosineSimilarityMatrix(a, b) }
    #expect(try withThreads(2) { try cosineSimilarityMatrix(a, b) } == one)
    #expect(try withThreads(2) { try cosineSimilarityMatrix(b, a) }.scalars.count == one.scalars.count)
    let small = randomTensor([17, 40], seed: 7, as: Float.self)
    let other = randomTensor([45, 40], seed: 8, as: Float.self)
    let best = try cosineSimilarityMatrix(small, other)
    for level in [0, 1] {
      #expect(try withKernelLevel(level) { try cosineSimilarityMatrix(small, other) } == best, "level \(level)")
    }
    let sd = randomTensor([17, 40], seed: 9, as: Double.self)
    let od = randomTensor([45, 40], seed: 10, as: Double.self)
    let bestD = try cosineSimilarityMatrix(sd, od)
    for level in [0, 1] {
      #expect(try withKernelLevel(level) { try cosineSimilarityMatrix(sd, od) } == bestD, "level \(level)")
    }
  }
}
