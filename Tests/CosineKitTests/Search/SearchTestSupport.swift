import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Brute force: every score of the matrix, sorted (higher first, ties by lower index, NaN last).
/// The matrix and the search compute each pair's score bitwise the same way, so a correct
/// search returns exactly this.
func bruteForceTopK<T: TensorScalar>(_ queries: Tensor<T>, _ corpus: Tensor<T>, k: Int, eps: Double = 1e-8) throws
  -> (indices: [[Int]], scores: [[T]])
{
  let m = try cosineSimilarityMatrix(queries, corpus, eps: eps)
  let q = m.shape[0]
  let n = m.shape[1]
  let kk = min(k, n)
  var idx: [[Int]] = []
  var sc: [[T]] = []
  for i in 0..<q {
    let row = Array(m.scalars[i * n..<(i + 1) * n])
    let order = (0..<n).sorted { SearchOrder.ranksBefore(Double(row[$0]), $0, Double(row[$1]), $1) }
    idx.append(Array(order.prefix(kk)))
    sc.append(order.prefix(kk).map { row[$0] })
  }
  return (idx, sc)
}

/// The rows of a search result.
func rows<T>(_ r: CosineSearchResults<T>) -> (indices: [[Int]], scores: [[T]]) {
  (
    (0..<r.queryCount).map { q in Array(r.indices[q * r.k..<(q + 1) * r.k]) },
    (0..<r.queryCount).map { q in Array(r.scores[q * r.k..<(q + 1) * r.k]) }
  )
}

/// Runs `body` with the kernels on `n` threads, for the calling task only (see `withThreadCount`).
func withThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
  try withThreadCount(n, body)
}

/// A tensor whose rows `copies[i].1` are copies of row `copies[i].0`.
func withDuplicatedRows<T>(_ t: Tensor<T>, _ copies: [(Int, Int)]) -> Tensor<T> {
  var t = t
  let d = t.shape[1]
  for (from, to) in copies {
    for j in 0..<d { t.scalars[to * d + j] = t.scalars[from * d + j] }
  }
  return t
}

/// A tensor whose listed rows are all zero.
func withZeroRows<T>(_ t: Tensor<T>, _ zero: [Int]) -> Tensor<T> {
  var t = t
  let d = t.shape[1]
  for r in zero {
    for j in 0..<d { t.scalars[r * d + j] = 0 }
  }
  return t
}
