import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Test data and references of the analyses.
enum AnalysisData {
  /// Random rows with planted duplicates (rows 3, 10 and 11 equal; row 20 a positive multiple of
  /// row 21) and a zero row (row 5).
  static func withDuplicates(_ n: Int, _ d: Int, seed: UInt64) -> Tensor<Float> {
    var x = randomTensor([n, d], seed: seed, as: Float.self)
    for j in 0..<d {
      if n > 11 {
        x.scalars[10 * d + j] = x.scalars[3 * d + j]
        x.scalars[11 * d + j] = x.scalars[3 * d + j]
      }
      if n > 5 { x.scalars[5 * d + j] = 0 }
      if n > 21 { x.scalars[20 * d + j] = 2 * x.scalars[21 * d + j] }
    }
    return x
  }

  /// Clustered rows: `centers` random directions, each row one of them plus noise of size `noise`.
  static func clustered(_ n: Int, _ d: Int, centers: Int, noise: Double, seed: UInt64) -> Tensor<Float> {
    var g = SeededGenerator(seed: seed)
    let c = (0..<centers * d).map { _ in g.normal() }
    var v = [Float](repeating: 0, count: n * d)
    for r in 0..<n {
      let k = Int(g.next() % UInt64(centers))
      for j in 0..<d { v[r * d + j] = Float(c[k * d + j] + noise * g.normal()) }
    }
    return try! Tensor(shape: [n, d], scalars: v)
  }

  /// The library's score matrix (bitwise the scores every search path computes), row-major.
  static func scores(_ x: Tensor<Float>) -> [Double] {
    try! cosineSimilarityMatrix(x, x).scalars.map { Double($0) }
  }

  /// Cosine similarity of rows i and j in Double.
  static func exactCosine(_ x: Tensor<Float>, _ i: Int, _ j: Int) -> Double {
    let d = x.shape[1]
    let a = (0..<d).map { Double(x.scalars[i * d + $0]) }
    let b = (0..<d).map { Double(x.scalars[j * d + $0]) }
    return Reference.cosine(a, b)
  }

  /// Row q's k best other rows under `s` (an n × n matrix): higher score, then lower index.
  static func bruteNeighbors(_ s: [Double], n: Int, q: Int, k: Int) -> [(Int, Double)] {
    let others = (0..<n).filter { $0 != q }.map { ($0, s[q * n + $0]) }
    return Array(others.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k))
  }
}
