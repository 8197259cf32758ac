/// How a cosine denominator keeps a zero vector from dividing by zero.
///
/// The systems CosineKit is compatible with disagree here, so every op states which it uses:
/// - ``clamp(_:)``: `max(‖x‖, eps)`, the norm itself floored (PyTorch `cosine_similarity`,
///   `F.normalize`, Keras 3 `l2_normalize`). With eps = 0 a zero row (norm exactly 0) is
///   defined to give cosine 0 and to normalize to zero, never NaN: results stay in [−1, 1].
/// - ``smoothSquare(_:)``: `sqrt(‖x‖² + eps)`, eps added to the squared norm (PyTorch
///   `CosineEmbeddingLoss`, with eps = 1e-12).
///
/// See <doc:NumericalConventions>.
public enum NormFloor: Sendable, Equatable {
  /// `max(‖x‖, eps)`; the gradient of the norm is 0 where the floor is active.
  case clamp(Double)
  /// `sqrt(‖x‖² + eps)`.
  case smoothSquare(Double)

  /// The effective norm `m` and the factor `k` with `∂m/∂u = k·u`, for a row whose
  /// elements were divided by the power of two `scale` and whose scaled sum of squares is `q`.
  /// Both are in scaled units (`m_real = m · scale`). `square` is the value `m` is the root
  /// of (`m = √square`), or nil where the floor is a constant.
  @inline(__always)
  package func effectiveNorm(sumOfSquares q: Double, scale: Double) -> (m: Double, k: Double, square: Double?) {
    switch self {
    case .clamp(let eps):
      let n = q.squareRoot()
      let e = scale == 1 ? eps : eps / scale
      if n > e { return (n, 1 / n, q) }
      if n.isNaN { return (n, n, q) }
      // eps = 0 on a zero row: 0/0 is defined as 0 (the row's cosines are 0 and it normalizes
      // to zero), by flooring at 1 instead: the numerator is exactly 0, so any floor gives 0.
      return (e > 0 ? e : 1, 0, nil)
    case .smoothSquare(let eps):
      let e = scale == 1 ? eps : eps / (scale * scale)
      let m = (q + e).squareRoot()
      return (m, 1 / m, q + e)
    }
  }
}
