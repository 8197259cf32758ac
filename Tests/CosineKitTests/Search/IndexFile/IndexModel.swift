import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// A brute-force model of an index with ids: id → row. Its top k scores every row with
/// ``cosineSimilarityMatrix(_:_:eps:)`` (bitwise the scores of the search) and sorts them
/// (higher first, ties by lower id, NaN last).
struct IndexModel {
  var rows: [Int: [Float]] = [:]
  let dim: Int

  init(dim: Int) { self.dim = dim }

  init(_ t: Tensor<Float>, ids: [Int]? = nil) {
    dim = t.shape[1]
    for r in 0..<t.shape[0] { rows[ids?[r] ?? r] = Array(t.scalars[r * dim..<(r + 1) * dim]) }
  }

  func topK(_ q: Tensor<Float>, k: Int, passing: (Int) -> Bool = { _ in true }) throws -> (
    ids: [[Int]], scores: [[Float]]
  ) {
    let ids = rows.keys.filter(passing).sorted()
    let nq = q.shape[0]
    guard !ids.isEmpty else { return (Array(repeating: [], count: nq), Array(repeating: [], count: nq)) }
    let corpus = try Tensor<Float>(shape: [ids.count, dim], scalars: ids.flatMap { rows[$0]! })
    let m = try cosineSimilarityMatrix(q, corpus)
    var outI: [[Int]] = []
    var outS: [[Float]] = []
    for i in 0..<nq {
      let s = Array(m.scalars[i * ids.count..<(i + 1) * ids.count])
      let order = (0..<ids.count).sorted { SearchOrder.ranksBefore(Double(s[$0]), ids[$0], Double(s[$1]), ids[$1]) }
      outI.append(order.prefix(k).map { ids[$0] })
      outS.append(order.prefix(k).map { s[$0] })
    }
    return (outI, outS)
  }
}

/// Scores compared bit for bit (NaN equal to NaN).
func sameBits(_ a: [[Float]], _ b: [[Float]]) -> Bool {
  a.count == b.count
    && zip(a, b).allSatisfy { x, y in
      x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }
}

/// A fresh temporary path.
func temporaryIndexPath(_ name: String) -> String {
  var g = SystemRandomNumberGenerator()
  return "/tmp/cosinekit-index-\(String(g.next() as UInt64, radix: 16))-\(name)"
}
