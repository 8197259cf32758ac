import CosineCore
import RealModule

/// sentence-transformers' `CoSENTLoss`: a ranking loss on the cosines of pairs.
///
/// With `cos_i = pairwise_cos_sim(x1_i, x2_i)` (`F.normalize`, norms clamped at 1e-12) and float
/// labels `y`, the value is
/// `log(1 + Σ_{y_i > y_j} exp(scale·(cos_j − cos_i)))`: every pair ranked lower by its label
/// but scored higher adds a term; ties add nothing. One value for the batch.
///
/// ```swift
/// let (value, g) = try CoSENTLoss().valueWithGradient(x1, x2, target: labels)
/// ```
///
/// **Edge cases:** B ≤ 1 or all labels equal gives 0 (log 1) with zero gradients; zero rows
/// have cosine 0 and finite gradients; NaN propagates. The pullback's scale gradient is
/// `Σ softmax·(cos_j − cos_i)`.
/// - Complexity: O(B·D + B²) time, O(B·D) memory.
public struct CoSENTLoss: BatchCosineLoss, Equatable {
  /// ``BatchLossKind/cosent``.
  public var kind: BatchLossKind? { .cosent }

  /// Multiplies every cosine difference. Default 20.
  public private(set) var scale: Double

  /// Creates the loss. - Throws: ``CosineError/invalidArgument(_:)`` for scale ≤ 0 or NaN.
  public init(scale: Double = 20) throws {
    try BatchInputs.checkScale(scale)
    self.scale = scale
  }

  /// The value (rank 0) and its pullback; `target` holds one float label per pair, no negatives.
  ///
  /// - Throws: ``CosineError`` for inputs that are not [B, D] matrices of one shape, a missing
  ///   target or one of another length, or negatives.
  public func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    guard negatives == nil else { throw CosineError.invalidArgument("the cosent loss takes no negatives") }
    try BatchInputs.checkScale(scale)
    let (b, _) = try BatchInputs.pair(first, second, loss: "cosent")
    let y = try BatchInputs.labels(target, batch: b, loss: "cosent")
    try BatchLossKind.cosent.checkLabels(y)
    let pc = try PairCosines(first, second, eps: 1e-12, loss: "cosent")
    let cos = pc.cos
    let scale = self.scale
    // Terms t = scale·(cos_j − cos_i) for y_i > y_j; the implicit 0 term is log 1.
    var m = 0.0
    for i in 0..<b {
      for j in 0..<b where y[i] > y[j] {
        let t = scale * (cos[j] - cos[i])
        if !(t <= m) { m = t }
      }
    }
    var s = m.isNaN ? .nan : Double.exp(-m)
    for i in 0..<b {
      for j in 0..<b where y[i] > y[j] { s += .exp(scale * (cos[j] - cos[i]) - m) }
    }
    let value = m + .log(s)
    return (
      Tensor(scalar: T(value)),
      { g in
        let u = try BatchInputs.upstream(g, reduction: .sum, count: 1)[0]
        var slope = [Double](repeating: 0, count: b)
        var sg = 0.0
        for i in 0..<b {
          for j in 0..<b where y[i] > y[j] {
            let p = Double.exp(scale * (cos[j] - cos[i]) - value)
            slope[j] += u * scale * p
            slope[i] -= u * scale * p
            sg += u * p * (cos[j] - cos[i])
          }
        }
        let (g1, g2) = pc.backward(slope: slope)
        return BatchLossGradients(first: g1, second: g2, scale: sg)
      }
    )
  }
}
