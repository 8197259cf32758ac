import CosineCore

/// The `k` best corpus rows for each query, by descending cosine similarity.
///
/// For each query row, returns the `min(k, N)` corpus rows of highest score, sorted by
/// descending score; equal scores are ordered by lower corpus index first. This is exact
/// (the same as sorting every score), the same as `sentence_transformers.util.semantic_search`'s
/// result. It prepares a ``CosineIndex`` of the corpus and searches it: to query one corpus
/// many times, keep the index instead.
///
/// ```swift
/// let (indices, scores) = try topKSearch(queries: q, corpus: c, k: 10)
/// indices[0]   // [Int]: the 10 best corpus rows of query 0, best first
/// scores[0]    // their scores, shape [10]
/// ```
///
/// - Parameters:
///   - queries: [Q, D] (a rank-1 input is one query).
///   - corpus: [N, D].
///   - k: How many results per query; must be ≥ 0.
///   - eps: Norm floor, as in ``cosineSimilarity(_:_:axis:eps:)``.
/// - Returns: `indices`, Q lists of `min(k, N)` corpus row numbers (best first), and `scores`,
///   the matching scores as a [Q, min(k, N)] tensor.
/// - Throws: ``CosineError`` if the shapes are not matrices with equal D, or k < 0.
///
/// **Edge cases:** zero rows score 0; NaN scores rank last; k > N returns all N rows.
/// - Complexity: O(Q·N·D) on all cores; never builds the Q × N score matrix.
public func topKSearch<T: TensorScalar>(
  queries: Tensor<T>, corpus: Tensor<T>, k: Int, eps: Double = 1e-8
) throws -> (indices: [[Int]], scores: Tensor<T>) {
  guard k >= 0 else { throw CosineError.invalidArgument("top-k must be >= 0, got \(k)") }
  let q = queries.rank == 1 ? queries.reshaped([1, queries.count]) : queries
  let c = corpus.rank == 1 ? corpus.reshaped([1, corpus.count]) : corpus
  guard q.rank == 2, c.rank == 2, q.shape[1] == c.shape[1] else {
    throw CosineError.shapeMismatch(operation: "top-k search (needs [Q, D] and [N, D])", queries.shape, corpus.shape)
  }
  let r = try CosineIndex(c, eps: eps).search(q, k: k)
  return (r.indexLists, r.scoreTensor)
}
