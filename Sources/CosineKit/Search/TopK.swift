/// The `k` best corpus rows for each query, by descending cosine similarity.
///
/// For each query row, returns the `min(k, N)` corpus rows of highest score, sorted by
/// descending score; equal scores are ordered by lower corpus index first. This is exact
/// (brute force), the same as `sentence_transformers.util.semantic_search`'s result.
///
/// - Parameters:
///   - queries: [Q, D] (a rank-1 input is one query).
///   - corpus: [N, D].
///   - k: How many results per query; must be ≥ 0.
///   - eps: Norm floor, as in ``cosineSimilarity(_:_:axis:eps:)``.
/// - Returns: `indices` and `scores`, both [Q, min(k, N)].
/// - Throws: ``CosineError`` if the shapes are not matrices with equal D, or k < 0.
///
/// **Edge cases:** zero rows score 0; NaN scores rank last.
@_specialize(exported: true, where T == Float)
@_specialize(exported: true, where T == Double)
@_specialize(exported: true, where T == Float16)
public func topKSearch<T: TensorScalar>(
  queries: Tensor<T>, corpus: Tensor<T>, k: Int, eps: Double = 1e-8
) throws -> (indices: Tensor<Double>, scores: Tensor<T>) {
  guard k >= 0 else { throw CosineError.invalidArgument("top-k must be >= 0, got \(k)") }
  let (uq, uc) = try UnitRows.pair(queries, corpus, eps: eps, operation: "top-k search")
  let kk = min(k, uc.rows)
  var idx = [Double](repeating: 0, count: uq.rows * kk)
  var sc = [T](repeating: 0, count: uq.rows * kk)
  for q in 0..<uq.rows {
    var all = (0..<uc.rows).map { (index: $0, score: uq.score(q, uc, $0)) }
    all.sort { a, b in
      if a.score.isNaN != b.score.isNaN { return b.score.isNaN }
      return a.score > b.score || (a.score == b.score && a.index < b.index)
    }
    for j in 0..<kk {
      idx[q * kk + j] = Double(all[j].index)
      sc[q * kk + j] = T(all[j].score)
    }
  }
  return (Tensor(uncheckedShape: [uq.rows, kk], scalars: idx), Tensor(uncheckedShape: [uq.rows, kk], scalars: sc))
}
