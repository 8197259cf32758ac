import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// KNN outlier scores against brute force.
@Suite struct OutlierScoreTests {
  func reference(_ x: Tensor<Float>, k: Int, method: KNNOutlierMethod) -> [Double] {
    let n = x.shape[0]
    let s = AnalysisData.scores(x)
    return (0..<n).map { q in
      let d = AnalysisData.bruteNeighbors(s, n: n, q: q, k: k).map { 1 - $0.1 }
      switch method {
      case .largest: return d[k - 1]
      case .mean: return d.reduce(0, +) / Double(k)
      case .median: return k % 2 == 1 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2
      }
    }
  }

  @Test(arguments: [1, 5, 8, 59])
  func equalsBruteForce(k: Int) throws {
    let x = AnalysisData.withDuplicates(60, 12, seed: 10)
    for method in KNNOutlierMethod.allCases {
      let got = try knnOutlierScores(x, neighbors: k, method: method)
      let want = reference(x, k: k, method: method)
      #expect(got.shape == [60])
      for (g, w) in zip(got.scalars, want) { #expect(isClose(Double(g), w, rtol: 0, atol: 1e-7)) }
    }
  }

  @Test func float64DistancesMatchTheExactCosine() throws {
    let x = AnalysisData.withDuplicates(40, 7, seed: 11)
    let got = try knnOutlierScores(x, neighbors: 1)
    // Duplicates are each other's nearest neighbor at distance 0 (not themselves by index).
    #expect(abs(got.scalars[3]) < 1e-6 && abs(got.scalars[10]) < 1e-6 && abs(got.scalars[21]) < 1e-6)
    // The zero row is at distance 1 from everything.
    #expect(got.scalars[5] == 1)
    for q in [0, 7, 30] {
      let best = (0..<40).filter { $0 != q }.map { 1 - AnalysisData.exactCosine(x, q, $0) }.min()!
      #expect(isClose(Double(got.scalars[q]), best, rtol: 0, atol: 2e-6))
    }
  }

  @Test func twoRowsAndBadArguments() throws {
    let x = try Tensor<Float>(rows: [[1, 0], [0, 1]])
    #expect(try knnOutlierScores(x, neighbors: 1).scalars == [1, 1])
    #expect(throws: CosineError.self) { try knnOutlierScores(x, neighbors: 2) }
    #expect(throws: CosineError.self) { try knnOutlierScores(x, neighbors: 0) }
    #expect(throws: CosineError.self) { try knnOutlierScores(Tensor<Float>([1, 2]), neighbors: 1) }
    #expect(throws: CosineError.self) { try knnOutlierScores(try Tensor<Float>(shape: [0, 2], scalars: [])) }
  }
}
