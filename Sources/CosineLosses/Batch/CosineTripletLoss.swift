import CosineCore

/// The triplet loss with cosine distance: sentence-transformers' `TripletLoss` with
/// `TripletDistanceMetric.COSINE`, PyTorch's `TripletMarginWithDistanceLoss` with that distance.
///
/// Per anchor `max(0, d(a, p) − d(a, n) + margin)` with `d = 1 − pairwise_cos_sim` (norms
/// clamped at 1e-12), then reduced. The default margin is 1.0 (PyTorch's;
/// sentence-transformers' default 5 is meant for Euclidean distance).
///
/// ```swift
/// let (value, g) = try CosineTripletLoss().valueWithGradient(anchors, positives, negatives: negatives)
/// ```
///
/// **Edge cases:** at the hinge (a loss of exactly 0) the subgradient 0 is used, as PyTorch's
/// `relu`; zero rows have cosine 0 and finite gradients; B = 0 gives 0 (`mean`, `sum`).
/// - Complexity: O(B·D).
public struct CosineTripletLoss: BatchCosineLoss, Equatable {
  /// ``BatchLossKind/triplet``.
  public var kind: BatchLossKind? { .triplet }

  /// The margin. Default 1.
  public private(set) var margin: Double
  /// How per-anchor losses are combined. Default ``Reduction/mean``.
  public var reduction: Reduction

  /// Creates the loss. - Throws: ``CosineError/invalidArgument(_:)`` for a non-finite margin.
  public init(margin: Double = 1, reduction: Reduction = .mean) throws {
    guard margin.isFinite else { throw CosineError.invalidArgument("margin must be finite, got \(margin)") }
    self.margin = margin
    self.reduction = reduction
  }

  /// The value and its pullback. `negatives` ([B, D] or [1, B, D]) are required; no target.
  ///
  /// - Throws: ``CosineError`` for inputs of different shapes, missing negatives or a target.
  public func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    guard target == nil else { throw CosineError.invalidArgument("the triplet loss takes no target") }
    guard margin.isFinite else { throw CosineError.invalidArgument("margin must be finite, got \(margin)") }
    let (b, d) = try BatchInputs.pair(first, second, loss: "triplet")
    guard let negatives else {
      throw CosineError.invalidArgument("the triplet loss needs negatives (one per anchor, shape [\(b), \(d)])")
    }
    _ = try BatchLossKind.triplet.negativeBlocks(shape: negatives.shape, batch: b, dim: d)
    let n2 = Tensor(uncheckedShape: [b, d], scalars: negatives.scalars)
    let ap = try PairCosines(first, second, eps: 1e-12, loss: "triplet")
    let an = try PairCosines(first, n2, eps: 1e-12, loss: "triplet")
    let margin = self.margin
    let reduction = self.reduction
    var per = [Double](repeating: 0, count: b)
    var active = [Double](repeating: 0, count: b)
    for i in 0..<b {
      // d(a,p) − d(a,n) = cos_an − cos_ap
      let l = an.cos[i] - ap.cos[i] + margin
      if l.isNaN {
        (per[i], active[i]) = (l, l)
      } else if l > 0 {
        (per[i], active[i]) = (l, 1)
      }
    }
    let shape = negatives.shape
    let activeF = active
    return (
      BatchInputs.reduce(per, reduction),
      { [activeF] g in
        let u = try BatchInputs.upstream(g, reduction: reduction, count: b)
        let (ga1, gp) = ap.backward(slope: (0..<b).map { -u[$0] * activeF[$0] })
        let (ga2, gn) = an.backward(slope: (0..<b).map { u[$0] * activeF[$0] })
        return BatchLossGradients(
          first: addGradients(ga1, ga2), second: gp, negatives: Tensor(uncheckedShape: shape, scalars: gn.scalars))
      }
    )
  }
}
