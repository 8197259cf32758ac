import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct TensorReductionTests {
  @Test func wholeAndAlongAxes() {
    let x = randomTensor([3, 4, 5], seed: 11, as: Double.self)
    let idx = Reference.multiIndices([3, 4, 5])
    func ref(_ axis: Int) -> [Double] {
      var out = [Double](repeating: 0, count: 60 / [3, 4, 5][axis])
      var outShape = [3, 4, 5]
      outShape.remove(at: axis)
      for i in idx {
        var o = i
        o.remove(at: axis)
        var off = 0
        for (d, n) in zip(o, outShape) { off = off * n + d }
        out[off] += x[i[0], i[1], i[2]]
      }
      return out
    }
    #expect(isClose(x.sum().item(), x.scalars.reduce(0, +), rtol: 1e-12, atol: 1e-12))
    #expect(isClose(x.mean().item(), x.scalars.reduce(0, +) / 60, rtol: 1e-12, atol: 1e-12))
    for axis in 0..<3 {
      let s = x.sum(axis: axis)
      var shape = [3, 4, 5]
      shape.remove(at: axis)
      #expect(s.shape == shape)
      #expect(allClose(s, try! Tensor(shape: shape, scalars: ref(axis)), rtol: 1e-12, atol: 1e-12))
      let m = x.mean(axis: axis - 3, keepDims: true)
      var kept = [3, 4, 5]
      kept[axis] = 1
      #expect(m.shape == kept)
      let n = Double([3, 4, 5][axis])
      #expect(allClose(m, try! Tensor(shape: kept, scalars: ref(axis).map { $0 / n }), rtol: 1e-12, atol: 1e-12))
    }
  }

  @Test func edgeCases() {
    #expect(Tensor<Float>(scalar: 3).sum().item() == 3)
    #expect(Tensor<Float>.zeros([0]).sum().item() == 0)
    #expect(Tensor<Float>.zeros([0]).mean().item().isNaN)
    #expect(Tensor<Float>.zeros([2, 0]).sum(axis: 1).scalars == [0, 0])
    #expect(Tensor<Float>.zeros([2, 0]).mean(axis: 1).scalars.allSatisfy { $0.isNaN })
    #expect(Tensor<Float>.zeros([0, 3]).sum(axis: 0).scalars == [0, 0, 0])
    #expect(Tensor<Float>.zeros([0, 3]).sum(axis: 1).shape == [0])
  }

  @Test func axisOutOfRangeTrapsNamingAxisAndRank() async {
    let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor<Float>.zeros([2, 3]).sum(axis: 2)
    }
    let text = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("axis 2") && text.contains("rank 2"), "\(text)")
  }
}
