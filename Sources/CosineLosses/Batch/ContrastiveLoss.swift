import CosineCore

/// sentence-transformers' `ContrastiveLoss` with its default cosine distance.
///
/// Per pair `0.5·(y·d² + (1 − y)·max(0, margin − d)²)` with `d = 1 − F.cosine_similarity`
/// (each norm clamped at 1e-8) and labels y in [0, 1], then reduced (``Reduction/mean`` is
/// sentence-transformers' `size_average=True`).
///
/// **Edge cases:** zero rows have d = 1 and finite gradients; at `d = margin` the subgradient
/// 0 is used; B = 0 gives 0 (`mean`, `sum`).
/// - Complexity: O(B·D).
public struct ContrastiveLoss: BatchCosineLoss, Equatable {
  /// ``BatchLossKind/contrastive``.
  public var kind: BatchLossKind? { .contrastive }

  /// The margin negatives should be beyond. Default 0.5; fixed by the checked initializer.
  public private(set) var margin: Double
  /// How per-pair losses are combined. Default ``Reduction/mean``.
  public var reduction: Reduction

  /// Creates the loss. - Throws: ``CosineError/invalidArgument(_:)`` for a non-finite margin.
  public init(margin: Double = 0.5, reduction: Reduction = .mean) throws {
    guard margin.isFinite else { throw CosineError.invalidArgument("margin must be finite, got \(margin)") }
    self.margin = margin
    self.reduction = reduction
  }

  /// The value and its pullback; `target` holds one label in [0, 1] per pair; no negatives.
  ///
  /// - Throws: ``CosineError`` for inputs of different shapes, a missing target or one of
  ///   another length, a label outside [0, 1], or
  ///   negatives.
  public func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    guard negatives == nil else { throw CosineError.invalidArgument("the contrastive loss takes no negatives") }
    guard margin.isFinite else { throw CosineError.invalidArgument("margin must be finite, got \(margin)") }
    let (b, _) = try BatchInputs.pair(first, second, loss: "contrastive")
    let y = try BatchInputs.labels(target, batch: b, loss: "contrastive")
    try BatchLossKind.contrastive.checkLabels(y)
    let pc = try PairCosines(first, second, eps: 1e-8, loss: "contrastive")
    let margin = self.margin
    let reduction = self.reduction
    var per = [Double](repeating: 0, count: b)
    var dldd = [Double](repeating: 0, count: b)
    for i in 0..<b {
      let d = 1 - pc.cos[i]
      let h = Swift.max(0, margin - d)
      per[i] = 0.5 * (y[i] * d * d + (1 - y[i]) * h * h)
      dldd[i] = d.isNaN ? d : y[i] * d - (1 - y[i]) * h
    }
    let dlddF = dldd
    return (
      BatchInputs.reduce(per, reduction),
      { [dlddF] g in
        let u = try BatchInputs.upstream(g, reduction: reduction, count: b)
        let (g1, g2) = pc.backward(slope: (0..<b).map { -u[$0] * dlddF[$0] })
        return BatchLossGradients(first: g1, second: g2)
      }
    )
  }
}

/// sentence-transformers' `OnlineContrastiveLoss`: the contrastive loss on the hard pairs only.
///
/// With `d = 1 − F.cosine_similarity` (norms clamped at 1e-8) and labels 0 or 1: hard positives
/// are positives with `d` above the smallest negative distance (above the positives' mean when
/// there are no negatives), hard negatives are negatives with `d` below the largest positive
/// distance (below the negatives' mean when there are no positives). The value is
/// `Σ_hard positives d² + Σ_hard negatives max(0, margin − d)²`: one value for the batch.
///
/// **Edge cases:** no hard pair gives 0 with zero gradients; the thresholds carry no gradient
/// (as in PyTorch); zero rows have d = 1 and finite gradients.
/// - Complexity: O(B·D).
public struct OnlineContrastiveLoss: BatchCosineLoss, Equatable {
  /// ``BatchLossKind/onlineContrastive``.
  public var kind: BatchLossKind? { .onlineContrastive }

  /// The margin negatives should be beyond. Default 0.5.
  public private(set) var margin: Double

  /// Creates the loss. - Throws: ``CosineError/invalidArgument(_:)`` for a non-finite margin.
  public init(margin: Double = 0.5) throws {
    guard margin.isFinite else { throw CosineError.invalidArgument("margin must be finite, got \(margin)") }
    self.margin = margin
  }

  /// The value (rank 0) and its pullback; `target` holds one label (0 or 1) per pair.
  ///
  /// - Throws: ``CosineError`` for inputs of different shapes, a missing target or one of
  ///   another length, a label other than 0 or 1, or negatives.
  public func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    guard negatives == nil else { throw CosineError.invalidArgument("the online-contrastive loss takes no negatives") }
    guard margin.isFinite else { throw CosineError.invalidArgument("margin must be finite, got \(margin)") }
    let (b, _) = try BatchInputs.pair(first, second, loss: "online-contrastive")
    let y = try BatchInputs.labels(target, batch: b, loss: "online-contrastive")
    try BatchLossKind.onlineContrastive.checkLabels(y)
    let pc = try PairCosines(first, second, eps: 1e-8, loss: "online-contrastive")
    let margin = self.margin
    let dist = pc.cos.map { 1 - $0 }
    let poss = (0..<b).filter { y[$0] == 1 }.map { dist[$0] }
    let negs = (0..<b).filter { y[$0] == 0 }.map { dist[$0] }
    func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
    func extreme(_ v: [Double], _ better: (Double, Double) -> Bool) -> Double {
      // torch.max/min propagate NaN.
      var m = v[0]
      for x in v.dropFirst() where x.isNaN || better(x, m) { m = x }
      return v.contains { $0.isNaN } ? .nan : m
    }
    let negLimit = poss.isEmpty ? mean(negs) : extreme(poss, >)
    let posLimit = negs.isEmpty ? mean(poss) : extreme(negs, <)
    var value = 0.0
    var dldd = [Double](repeating: 0, count: b)
    for i in 0..<b {
      let d = dist[i]
      if y[i] == 1, d > posLimit {
        value += d * d
        dldd[i] = 2 * d
      } else if y[i] == 0, d < negLimit {
        let h = Swift.max(0, margin - d)
        value += h * h
        dldd[i] = -2 * h
      }
    }
    let dlddF = dldd
    return (
      Tensor(scalar: T(value)),
      { g in
        let u = try BatchInputs.upstream(g, reduction: .sum, count: 1)[0]
        let (g1, g2) = pc.backward(slope: dlddF.map { -u * $0 })
        return BatchLossGradients(first: g1, second: g2)
      }
    )
  }
}
