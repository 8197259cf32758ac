import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct TensorReshapeTests {
  @Test func reshapeInfersMinusOne() {
    let t = Tensor<Float>([[1, 2, 3], [4, 5, 6]])
    #expect(t.reshaped([3, -1]).shape == [3, 2] && t.reshaped([3, -1]).scalars == t.scalars)
    #expect(t.reshaped([-1]).shape == [6])
    #expect(Tensor<Float>(scalar: 1).reshaped([1, 1]).shape == [1, 1])
    #expect(Tensor<Float>.zeros([0, 4]).reshaped([2, 0, 3]).shape == [2, 0, 3])
    #expect((try? t.resolvedShape([4, -1])) == nil)
    #expect((try? t.resolvedShape([-1, -1])) == nil)
    #expect((try? Tensor<Float>.zeros([0, 4]).resolvedShape([0, -1])) == nil)
  }

  @Test func badReshapeTrapsNamingBothShapes() async {
    let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>.zeros([2, 3]).reshaped([4, 2])
    }
    let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("[2, 3]") && text.contains("[4, 2]"), "\(text)")
  }

  @Test func transposeReversesAxes() {
    let t = Tensor<Float>([[1, 2, 3], [4, 5, 6]])
    #expect(t.transposed() == Tensor<Float>([[1, 4], [2, 5], [3, 6]]))
    #expect(t.transposed().transposed() == t)
    let v: Tensor<Float> = [1, 2]
    #expect(v.transposed() == v && Tensor<Float>(scalar: 3).transposed().shape == [])
    #expect(Tensor<Float>.zeros([0, 3]).transposed().shape == [3, 0])
    let c = randomTensor([2, 3, 4], seed: 5, as: Double.self)
    let ct = c.transposed()
    #expect(ct.shape == [4, 3, 2])
    for i in Reference.multiIndices([2, 3, 4]) { #expect(ct[i[2], i[1], i[0]] == c[i[0], i[1], i[2]]) }
  }
}
