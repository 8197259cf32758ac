import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct TensorDescriptionTests {
  @Test func smallTensorsPrintInFull() {
    #expect(Tensor<Float>([[1, 2], [3, 4]]).description == "[[1.0, 2.0],\n [3.0, 4.0]]")
    #expect(Tensor<Double>([1.5, -2]).description == "[1.5, -2.0]")
    #expect(Tensor<Float>(scalar: 0.5).description == "0.5")
    #expect(Tensor<Float>([.nan, .infinity, -.infinity]).description == "[nan, inf, -inf]")
    #expect(Tensor<Float>.zeros([0, 3]).description == "[[]]")
    #expect(Tensor<Float>.zeros([2, 0]).debugDescription == "Tensor<Float>(shape: [2, 0], [[]])")
    let c = Tensor<Double>([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    #expect(c.description == "[[[1.0, 2.0],\n  [3.0, 4.0]],\n\n [[5.0, 6.0],\n  [7.0, 8.0]]]")
  }

  @Test func largeTensorsAreAbbreviated() {
    let t = Tensor<Float>.zeros([1000, 384])
    let text = t.description
    #expect(text.count < 300, "\(text.count) characters")
    let lines = text.split(separator: "\n")
    #expect(lines.count == 7)  // 3 rows, "...", 3 rows
    #expect(lines[0] == "[[0.0, 0.0, 0.0, ..., 0.0, 0.0, 0.0],")
    #expect(lines[3] == " ...,")
    // 1000 elements is NumPy's threshold: printed in full; 1001 abbreviated.
    #expect(!Tensor<Float>.zeros([1000]).description.contains("..."))
    #expect(Tensor<Float>.zeros([1001]).description == "[0.0, 0.0, 0.0, ..., 0.0, 0.0, 0.0]")
  }
}
