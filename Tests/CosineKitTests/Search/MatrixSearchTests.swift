import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct MatrixSearchTests {
  @Test func matrixMatchesPairwiseCosine() throws {
    let a = randomTensor([9, 13], seed: 70, as: Double.self)
    let b = randomTensor([11, 13], seed: 71, as: Double.self)
    var a2 = a
    for k in 0..<13 { a2.scalars[2 * 13 + k] = 0 }  // a zero row
    let m = try cosineSimilarityMatrix(a2, b)
    #expect(m.shape == [9, 11])
    for i in 0..<9 {
      for j in 0..<11 {
        let want = Reference.cosine(Array(a2.scalars[i * 13..<(i + 1) * 13]), Array(b.scalars[j * 13..<(j + 1) * 13]))
        #expect(isClose(m[i, j], want, rtol: 1e-14, atol: 1e-15))
      }
    }
    #expect(throws: CosineError.self) { try cosineSimilarityMatrix(a, randomTensor([3, 4], seed: 1, as: Double.self)) }
  }

  @Test(arguments: [1, 3, 8, 50] as [Int])
  func topKEqualsBruteForceWithTies(_ k: Int) throws {
    var corpus = randomTensor([40, 6], seed: 80, as: Float.self)
    // Duplicate rows create exact ties, which must come out by lower index first.
    for j in 0..<6 {
      corpus.scalars[30 * 6 + j] = corpus.scalars[5 * 6 + j]
      corpus.scalars[12 * 6 + j] = corpus.scalars[5 * 6 + j]
    }
    let queries = try Tensor<Float>(
      shape: [3, 6],
      scalars: Array(corpus.scalars[5 * 6..<6 * 6]) + randomTensor([2, 6], seed: 81, as: Float.self).scalars)
    let r = try topKSearch(queries: queries, corpus: corpus, k: k)
    let kk = min(k, 40)
    #expect(r.indices.count == 3 && r.indices.allSatisfy { $0.count == kk } && r.scores.shape == [3, kk])
    let m = try cosineSimilarityMatrix(queries, corpus)
    for q in 0..<3 {
      let order = (0..<40).sorted { m[q, $0] > m[q, $1] || (m[q, $0] == m[q, $1] && $0 < $1) }
      #expect(r.indices[q] == Array(order.prefix(kk)))
    }
    if k >= 3 { #expect(Array(r.indices[0].prefix(3)) == [5, 12, 30]) }
  }
}
