import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct TensorIndexingTests {
  let m = Tensor<Float>([[1, 2], [3, 4], [5, 6]])

  @Test func rowsAndRanges() {
    #expect(m[0] == [1, 2] && m[0].shape == [2])
    #expect(m[-1] == [5, 6])
    #expect(m[1...] == Tensor<Float>([[3, 4], [5, 6]]))
    #expect(m[..<1].shape == [1, 2])
    #expect(m[0..<0].shape == [0, 2])
    #expect(m.row(2) == m[2] && m.rows(0..<2) == m[..<2])
    let v: Tensor<Float> = [7, 8, 9]
    #expect(v[1].shape == [] && v[1].item() == 8)
    let x: Float = v[2]
    #expect(x == 9)
    #expect(m[1, 0] == 3)
    let c = Tensor<Double>([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    #expect(c[1] == Tensor<Double>([[5, 6], [7, 8]]) && c[1][0] == [5, 6])
  }

  @Test func writesThroughRowSubscripts() {
    var t = m
    t[1] = [30, 40]
    t[-1] = [50, 60]
    #expect(t.scalars == [1, 2, 30, 40, 50, 60])
    t[0..<2] = Tensor([[0, 0], [9, 9]])
    #expect(t.scalars == [0, 0, 9, 9, 50, 60] && t.shape == [3, 2])
  }

  @Test func itemAndScalarized() {
    #expect(Tensor<Float>(scalar: 2).item() == 2)
    #expect(Tensor<Float>([[5]]).item() == 5 && Tensor<Float>([[5]]).scalarized() == 5)
  }

  @Test func outOfRangeRowTrapsNamingIndexAndShape() async {
    let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>([[1, 2], [3, 4]])[2]
    }
    let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("row index 2") && text.contains("[2, 2]"), "\(text)")
  }

  @Test func rowOfRankZeroAndItemOfManyTrap() async {
    await #expect(processExitsWith: .failure) { _ = Tensor<Float>(scalar: 1)[0] }
    let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>([1, 2]).item()
    }
    let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("item() needs a tensor with one element, got shape [2]"), "\(text)")
    await #expect(processExitsWith: .failure) {
      var t = Tensor<Float>.zeros([3, 2])
      t[0] = [1, 2, 3]
    }
  }
}
