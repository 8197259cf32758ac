import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct TensorArithmeticTests {
  /// The broadcast of `a` and `b` combined by `f`, computed element by element with the
  /// independent reference indexing of the test support.
  func reference(_ a: Tensor<Double>, _ b: Tensor<Double>, _ f: (Double, Double) -> Double) -> Tensor<Double> {
    let shape = try! Shape.broadcast(a.shape, b.shape)
    let values = Reference.multiIndices(shape).map { f(Reference.element(a, $0), Reference.element(b, $0)) }
    return try! Tensor(shape: shape, scalars: values)
  }

  @Test(arguments: [
    ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 4]), ([3, 1, 2], [4, 1]), ([], [2, 2]), ([0, 3], [3]),
  ])
  func broadcastingMatchesTheReference(_ sa: [Int], _ sb: [Int]) throws {
    let a = randomTensor(sa, seed: 1, as: Double.self)
    let b = randomTensor(sb, seed: 2, as: Double.self) + 3  // away from 0 for division
    #expect(a + b == reference(a, b, +))
    #expect(a - b == reference(a, b, -))
    #expect(a * b == reference(a, b, *))
    #expect(a / b == reference(a, b, /))
    #expect(try a.multiplying(b) == a * b)
    #expect(try a.dividing(b) == a / b)
  }

  @Test func floatResultsAreRoundedOnce() {
    let a = randomTensor([3, 4], seed: 3, as: Float.self)
    let b = randomTensor([4], seed: 4, as: Float.self)
    let want = reference(a.converted(), b.converted(), *).converted(to: Float.self)
    #expect(a * b == want)
  }

  @Test func scalarOperands() {
    let a = Tensor<Float>([[1, 2], [3, 4]])
    #expect((a + 1).scalars == [2, 3, 4, 5])
    #expect((1 + a).scalars == [2, 3, 4, 5])
    #expect((a - 1).scalars == [0, 1, 2, 3])
    #expect((10 - a).scalars == [9, 8, 7, 6])
    #expect((a * 2).scalars == [2, 4, 6, 8] && (2 * a) == a * 2)
    #expect((a / 2).scalars == [0.5, 1, 1.5, 2])
    #expect((12 / a).scalars == [12, 6, 4, 3])
    #expect((-a).scalars == [-1, -2, -3, -4])
    #expect((a / 0).scalars.allSatisfy { $0 == .infinity })
  }

  @Test func mismatchedShapesThrowNamingBothShapes() {
    let a = Tensor<Float>.zeros([2, 3])
    let b = Tensor<Float>.zeros([4])
    #expect(throws: CosineError.shapeMismatch(operation: "multiply", [2, 3], [4])) { try a.multiplying(b) }
    #expect(throws: CosineError.shapeMismatch(operation: "divide", [2, 3], [4])) { try a.dividing(b) }
    let message = "\(CosineError.shapeMismatch(operation: "multiply", [2, 3], [4]))"
    #expect(message.contains("[2, 3]") && message.contains("[4]"))
  }

  @Test func mismatchedOperatorTrapsWithBothShapes() async {
    let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>.zeros([2, 3]) * Tensor<Float>.zeros([4])
    }
    let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("[2, 3]") && text.contains("[4]"), "\(text)")
  }

  @Test func unbroadcastSumsOverBroadcastDimensions() {
    let g = Tensor<Double>([[1, 2, 3], [4, 5, 6]])
    #expect(g.unbroadcast(to: [3]).scalars == [5, 7, 9])
    #expect(g.unbroadcast(to: [2, 1]).scalars == [6, 15])
    #expect(g.unbroadcast(to: []).scalars == [21])
    #expect(g.unbroadcast(to: [2, 3]) == g)
  }
}
