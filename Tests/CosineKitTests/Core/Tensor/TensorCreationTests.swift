import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct TensorCreationTests {
  @Test func literalsAndNestedArrays() {
    let v: Tensor<Float> = [1, -1, 1]
    #expect(v.shape == [3] && v.scalars == [1, -1, 1])
    let m = Tensor<Float>([[1, 2], [3, 4]])
    #expect(m.shape == [2, 2] && m.scalars == [1, 2, 3, 4])
    let c = Tensor<Double>([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]])
    #expect(c.shape == [2, 2, 3] && c.scalars == (1...12).map(Double.init))
    let e: Tensor<Float> = []
    #expect(e.shape == [0] && e.count == 0)
    #expect(Tensor<Float>([[Float]]()).shape == [0, 0])
    #expect(Tensor<Float>([[], []] as [[Float]]).shape == [2, 0])
    #expect(Tensor<Float>([[[Float]]]()).shape == [0, 0, 0])
  }

  @Test func raggedRowsThrowFromTheThrowingForm() {
    #expect(throws: CosineError.self) { try Tensor<Float>(rows: [[1, 2], [3]]) }
  }

  @Test func raggedRowsTrapNamingTheRow() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>([[1, 2], [3]])
    }
    let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>([[[1, 2], [3, 4]], [[5, 6], [7]]])
    }
    let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("row [1][1] has 1 elements"), "\(text)")
  }

  @Test func fillers() throws {
    #expect(Tensor<Float>.zeros([2, 3]) == (try Tensor(shape: [2, 3], repeating: 0)))
    #expect(Tensor<Double>.ones([4]).scalars == [1, 1, 1, 1])
    #expect(Tensor<Float16>.full([], 2.5).shape == [] && Tensor<Float16>.full([], 2.5).item() == 2.5)
    #expect(Tensor<Float>.zeros([0, 5]).count == 0)
  }

  @Test func negativeShapeTrapsNamingTheShape() async {
    let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>.zeros([2, -1])
    }
    let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("[2, -1]"), "\(text)")
  }

  @Test func seededNormalHasTheRequestedMomentsAndReplays() throws {
    let a = Tensor<Double>.random(normal: [20_000], mean: 3, standardDeviation: 2, seed: 7)
    let b = Tensor<Double>.random(normal: [20_000], mean: 3, standardDeviation: 2, seed: 7)
    #expect(a == b)
    #expect(a != Tensor<Double>.random(normal: [20_000], mean: 3, standardDeviation: 2, seed: 8))
    let n = Double(a.count)
    let mean = a.scalars.reduce(0, +) / n
    let variance = a.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    // Standard errors: 2/√n ≈ 0.014 for the mean, about 4·√(2/n) ≈ 0.04 for the variance.
    #expect(abs(mean - 3) < 5 * 2 / n.squareRoot())
    #expect(abs(variance - 4) < 5 * 4 * (2 / n).squareRoot())
    #expect(a.scalars.allSatisfy { $0.isFinite })
  }

  @Test func seededUniformStaysInRangeAndReplays() {
    var g1 = SeededGenerator(seed: 3)
    var g2 = SeededGenerator(seed: 3)
    let a = Tensor<Float>.random(uniform: [10_000], in: -2..<5, using: &g1)
    let b = Tensor<Float>.random(uniform: [10_000], in: -2..<5, using: &g2)
    #expect(a == b && g1 == g2)
    #expect(a.scalars.allSatisfy { $0 >= -2 && $0 <= 5 })
    let mean = a.scalars.reduce(0) { $0 + Double($1) } / Double(a.count)
    // Uniform on [−2, 5): mean 1.5, standard deviation 7/√12 ≈ 2.02; standard error 0.02.
    #expect(abs(mean - 1.5) < 0.1)
    #expect(Tensor<Float>.random(uniform: [2, 0], seed: 1).shape == [2, 0])
  }

  @Test func elementWritesKeepTheCount() {
    var t = Tensor<Float>.zeros([2, 3])
    t[1, 2] = 5
    t.withUnsafeMutableBufferPointer { b in b[0] = 1 }
    #expect(t.scalars == [1, 0, 0, 0, 0, 5] && t.shape == [2, 3])
    let sum = t.withUnsafeBufferPointer { $0.reduce(0, +) }
    #expect(sum == 6)
  }
}
