import CosineKit
import Testing

#if canImport(_Differentiation)
  import _Differentiation
#endif

/// The README's library example, kept compiling and true.
@Suite struct ReadmeExampleTests {
  @Test func libraryExample() throws {
    let a = try Tensor<Float>(rows: [[1, 0], [1, 1], [3, 4]])
    let b = try Tensor<Float>(rows: [[1, 1], [-1, -1], [4, 3]])
    let cos = try cosineSimilarity(a, b)
    let want: [Float] = [0.70710677, -1, 0.96]
    #expect(zip(cos.scalars, want).allSatisfy { abs($0 - $1) <= 1e-7 })
    let loss = CosineLoss(.keras)
    let (value, gradA, gradB) = try loss.valueWithGradient(a, b)
    #expect(abs(value.scalars[0] - (-(Float(0.5).squareRoot() - 1 + 0.96) / 3)) < 1e-6)
    #expect(gradA.shape == [3, 2] && gradB.shape == [3, 2])
    let embedding = CosineLoss(.embedding(margin: 0.2), reduction: .sum)
    let l = try embedding(a, b, target: Tensor([1, -1, 1]))
    #expect(l.shape == [])
    let (y, pullback) = try l2NormalizeWithPullback(a)
    let dx = try pullback(y)
    #expect(dx.shape == a.shape)
    let matrix = try cosineSimilarityMatrix(a, b)
    #expect(matrix.shape == [3, 3])
    let (indices, scores) = try topKSearch(queries: a, corpus: b, k: 2)
    #expect(indices.count == 3 && indices.allSatisfy { $0.count == 2 } && scores.shape == [3, 2])
    let index = try CosineIndex(b)
    let results = try index.search(a, k: 2)
    #expect("\(results[0])" == "[(2, 0.8), (0, 0.70710677)]")
    let (D, I) = results.faiss
    #expect(D.shape == [3, 2] && I == [[2, 0], [0, 2], [0, 2]])
    let m: Tensor<Float> = [[1, 2], [3, 4]]
    #expect(m.shape == [2, 2] && Tensor<Float>.zeros(2, 3).shape == [2, 3])
    #expect(a.T.shape == [2, 3] && a.norm(axis: 1).shape == [3] && Array(a) == a.scalars)
  }

  #if canImport(_Differentiation)
    /// The README's autodiff line: the non-throwing form, scalarized.
    @Test func autodiffExample() throws {
      let a = try Tensor<Float>(rows: [[1, 0], [1, 1], [3, 4]])
      let b = try Tensor<Float>(rows: [[1, 1], [-1, -1], [4, 3]])
      let g = gradient(at: a) { x in x.cosineSimilarity(to: b).sum().scalarized() }
      let ones = Tensor<Float>(uncheckedShape: [3], scalars: [1, 1, 1])
      let want = try cosineSimilarityWithPullback(a, b).pullback(ones).0
      #expect(g.shape == [3, 2] && g == want)
    }
  #endif
}
