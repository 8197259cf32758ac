/// The all-pairs cosine similarity matrix of the rows of `a` ([M, D]) and `b` ([N, D]).
///
/// `S[i, j] = a_i·b_j / (max(‖a_i‖, eps) · max(‖b_j‖, eps))`, each norm floored separately as in
/// ``cosineSimilarity(_:_:axis:eps:)``; the same as `sentence_transformers.util.cos_sim` up to
/// the eps convention. Rows are normalized once; no M×N×D intermediate is built.
///
/// - Parameters:
///   - a: Rows to compare, shape [M, D] (a rank-1 input is one row).
///   - b: Rows to compare against, shape [N, D].
///   - eps: Floor of each norm. Default 1e-8. Must be ≥ 0.
/// - Returns: An [M, N] tensor, every entry within [−1, 1].
/// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` if the inputs are not matrices with
///   the same number of columns; ``CosineError/invalidArgument(_:)`` for eps < 0.
///
/// **Edge cases:** zero rows score 0; empty inputs give an empty matrix; NaN propagates.
/// - Complexity: O(M·N·D).
@_specialize(exported: true, where T == Float)
@_specialize(exported: true, where T == Double)
@_specialize(exported: true, where T == Float16)
public func cosineSimilarityMatrix<T: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<T>, eps: Double = 1e-8) throws -> Tensor<T> {
  let (ua, ub) = try UnitRows.pair(a, b, eps: eps, operation: "cosine similarity matrix")
  let m = ua.rows, n = ub.rows
  var out = [T](repeating: 0, count: m * n)
  out.withUnsafeMutableBufferPointer { po in
    let o = SharedPointer(po.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
    Parallel.forEachRange(m, costPerItem: n * max(1, ua.dim)) { range in
      for i in range {
        for j in 0..<n { o.base[i * n + j] = T(ua.score(i, ub, j)) }
      }
    }
  }
  return Tensor(uncheckedShape: [m, n], scalars: out)
}

/// Rows divided by their floored norms, in `Double`.
struct UnitRows: Sendable {
  let rows: Int
  let dim: Int
  let values: [Double]

  init<T: TensorScalar>(_ x: Tensor<T>, eps: Double) throws {
    rows = x.shape[0]
    dim = x.shape[1]
    let stats = try RowPairs(x, x, axis: -1, operation: "normalize rows")
    let floor = NormFloor.clamp(eps)
    var v = [Double](repeating: 0, count: x.count)
    for r in 0..<rows {
      let s = stats.scale(ofRow: r).0
      let m = floor.effectiveNorm(sumOfSquares: stats.sums[3 * r + 1], scale: s).m
      for k in 0..<dim { v[r * dim + k] = Double(x.scalars[r * dim + k]) / s / m }
    }
    values = v
  }

  /// Validates and normalizes two matrices with the same number of columns.
  static func pair<T: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<T>, eps: Double, operation: String) throws -> (UnitRows, UnitRows) {
    try checkEps(eps)
    let a2 = a.rank == 1 ? try a.reshaped([1, a.count]) : a
    let b2 = b.rank == 1 ? try b.reshaped([1, b.count]) : b
    guard a2.rank == 2, b2.rank == 2, a2.shape[1] == b2.shape[1] else {
      throw CosineError.shapeMismatch(operation: operation + " (needs [M, D] and [N, D])", a.shape, b.shape)
    }
    return (try UnitRows(a2, eps: eps), try UnitRows(b2, eps: eps))
  }

  /// Cosine of row `i` of `self` and row `j` of `other`, clamped to [−1, 1].
  @inline(__always)
  func score(_ i: Int, _ other: UnitRows, _ j: Int) -> Double {
    var s = 0.0
    for k in 0..<dim { s += values[i * dim + k] * other.values[j * dim + k] }
    return Swift.min(1, Swift.max(-1, s))
  }
}
