import CosineCore

/// `async` forms of the matrix and the search: the kernels run on a thread of their own (not
/// Swift's cooperative pool, which stays free for other tasks) and the call honours task
/// cancellation between pieces of the work.

/// ``cosineSimilarityMatrix(_:_:eps:)-1tk5m`` off the cooperative thread pool, cancellable.
///
/// The result is bitwise that of the synchronous form. Cancellation is checked between blocks
/// of rows of at least 256 rows and about 2³⁰ multiply-adds each.
///
/// ```swift
/// let s = try await cosineSimilarityMatrix(queries, corpus)
/// ```
///
/// - Throws: as the synchronous form, and `CancellationError` when the task is cancelled
///   (no partial result).
/// - Complexity: as the synchronous form.
public func cosineSimilarityMatrix<T: TensorScalar>(
  _ a: Tensor<T>, _ b: Tensor<T>, eps: Double = 1e-8
) async throws -> Tensor<T> {
  try await OffPool.run("matrix") { isCancelled in
    try PackedMatrix.matrix(a, b, eps: eps, shouldStop: isCancelled)
  }
}

/// ``topKSearch(queries:corpus:k:eps:)-31sfl`` off the cooperative thread pool, cancellable.
///
/// - Throws: as the synchronous form, and `CancellationError` when the task is cancelled.
public func topKSearch<T: TensorScalar>(
  queries: Tensor<T>, corpus: Tensor<T>, k: Int, eps: Double = 1e-8
) async throws -> (indices: [[Int]], scores: Tensor<T>) {
  guard k >= 0 else { throw CosineError.invalidArgument("top-k must be >= 0, got \(k)") }
  let q = queries.rank == 1 ? queries.reshaped([1, queries.count]) : queries
  let c = corpus.rank == 1 ? corpus.reshaped([1, corpus.count]) : corpus
  guard q.rank == 2, c.rank == 2, q.shape[1] == c.shape[1] else {
    throw CosineError.shapeMismatch(operation: "top-k search (needs [Q, D] and [N, D])", queries.shape, corpus.shape)
  }
  let index = try await OffPool.run("index") { _ in try CosineIndex(c, eps: eps) }
  let r = try await index.search(q, k: k)
  return (r.indexLists, r.scoreTensor)
}

extension CosineIndex {
  /// ``search(_:k:)-3rgor`` off the cooperative thread pool, cancellable.
  ///
  /// The queries are searched in pieces of at least 1024 rows (or about 2³² multiply-adds), with
  /// a cancellation check between pieces; the results are identical to the synchronous form's
  /// (each query's list does not depend on the other queries).
  ///
  /// ```swift
  /// let results = try await index.search(queries, k: 10)
  /// ```
  ///
  /// - Throws: as ``search(_:k:)-3rgor``, and `CancellationError` when the task is cancelled.
  public func search(_ queries: Tensor<Scalar>, k: Int) async throws -> CosineSearchResults<Scalar> {
    guard k >= 0 else { throw CosineError.invalidArgument("top-k must be >= 0, got \(k)") }
    let q = queries.rank == 1 ? queries.reshaped([1, queries.count]) : queries
    guard q.rank == 2, q.shape[1] == dimension else {
      throw CosineError.shapeMismatch(
        operation: "top-k search (needs queries [Q, D] and a corpus [N, D])", queries.shape, [count, dimension])
    }
    // At least 1024 queries per piece, so streaming the corpus once per piece costs little next
    // to the scoring (measured: pieces of 256 cost up to 20 %), or about 2³² multiply-adds when
    // the corpus is small.
    let piece = Swift.max(1024, (1 << 32) / Swift.max(1, count * Swift.max(1, dimension)))
    return try await OffPool.run("search") { isCancelled in
      try self.search(q, k: k, piece: piece, isCancelled: isCancelled)
    }
  }

  /// The queries `q` searched in pieces of `piece` rows, asking `isCancelled` before each piece
  /// (one piece: no question); `CancellationError` when it says yes.
  package func search(
    _ q: Tensor<Scalar>, k: Int, piece: Int, isCancelled: () -> Bool
  ) throws -> CosineSearchResults<Scalar> {
    let nq = q.shape[0]
    if nq <= piece { return try search(q, k: k) }
    var parts: [CosineSearchResults<Scalar>] = []
    for start in stride(from: 0, to: nq, by: piece) {
      if isCancelled() { throw CancellationError() }
      parts.append(try search(q.rows(start..<Swift.min(nq, start + piece)), k: k))
    }
    return CosineSearchResults(
      queryCount: nq, k: parts[0].k, indices: parts.flatMap(\.indices), scores: parts.flatMap(\.scores),
      rankingScores: parts.flatMap(\.rankingScores))
  }
}
