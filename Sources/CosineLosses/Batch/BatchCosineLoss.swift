import CosineCore

/// The gradients of a batch loss with respect to each of its inputs (in their shapes) and to
/// its `scale`.
public struct BatchLossGradients<Scalar: TensorScalar>: Sendable {
  /// With respect to the first input (anchors, or the first of each pair).
  public var first: Tensor<Scalar>
  /// With respect to the second input (positives, or the second of each pair).
  public var second: Tensor<Scalar>
  /// With respect to the negatives, in their shape; nil when the loss had none.
  public var negatives: Tensor<Scalar>?
  /// With respect to the loss's `scale` (0 for losses without one), for a learnable
  /// temperature.
  public var scale: Double

  /// Gradients from their parts.
  public init(first: Tensor<Scalar>, second: Tensor<Scalar>, negatives: Tensor<Scalar>? = nil, scale: Double = 0) {
    self.first = first
    self.second = second
    self.negatives = negatives
    self.scale = scale
  }
}

/// A cosine loss over a whole batch of embeddings: the losses sentence-transformers trains
/// embedding models with (``MultipleNegativesRankingLoss``, ``CoSENTLoss``,
/// ``CosineTripletLoss``, ``ContrastiveLoss``, ``OnlineContrastiveLoss``) and the
/// ``MatryoshkaLoss`` wrapper around any of them.
///
/// Inputs are matrices with one row per example: `first` [B, D], `second` [B, D], optional
/// `negatives` ([n, B, D] or [B, D]) and optional per-example `target` [B] (labels).
public protocol BatchCosineLoss: Sendable {
  /// Which of the library's batch losses this is, and so what it takes (negatives, labels and
  /// their range, a reduction, a scale, a margin); nil for a loss defined outside the library.
  var kind: BatchLossKind? { get }

  /// The value (rank 0, or one value per example for ``Reduction/none``) and a pullback from an
  /// upstream gradient of the value's shape to the gradients of every input.
  ///
  /// - Throws: ``CosineError`` for inputs of the wrong shape, a missing, unexpected or
  ///   out-of-range target, or missing or unexpected negatives.
  func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>)
}

extension BatchCosineLoss {
  /// nil: a loss defined outside the library describes itself in its own documentation.
  public var kind: BatchLossKind? { nil }

  /// The loss value. See ``valueWithPullback(_:_:negatives:target:)``.
  public func callAsFunction<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>? = nil, target: Tensor<T>? = nil
  ) throws -> Tensor<T> {
    try valueWithPullback(first, second, negatives: negatives, target: target).value
  }

  /// The value and the gradients of the value's sum (for ``Reduction/none``) or of the value.
  public func valueWithGradient<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>? = nil, target: Tensor<T>? = nil
  ) throws -> (value: Tensor<T>, gradients: BatchLossGradients<T>) {
    let (v, pb) = try valueWithPullback(first, second, negatives: negatives, target: target)
    return (v, try pb(Tensor(uncheckedShape: v.shape, scalars: [T](repeating: 1, count: v.count))))
  }
}

/// Shape checks shared by the batch losses.
package enum BatchInputs {
  /// Checks that `first` and `second` are [B, D] matrices of one shape; returns (B, D).
  package static func pair<T>(_ first: Tensor<T>, _ second: Tensor<T>, loss: String) throws -> (Int, Int) {
    guard first.rank == 2, first.shape == second.shape else {
      throw CosineError.shapeMismatch(
        operation: "\(loss) (needs two [B, D] matrices of one shape)", first.shape, second.shape)
    }
    return (first.shape[0], first.shape[1])
  }

  /// Per-example labels as Doubles: `target` must hold B values ([B] or [B, 1]).
  package static func labels<T>(_ target: Tensor<T>?, batch b: Int, loss: String) throws -> [Double] {
    guard let target else {
      throw CosineError.invalidArgument("the \(loss) loss needs a target (one label per pair, shape [\(b)])")
    }
    guard target.count == b, target.rank <= 2, target.rank == 0 ? b == 1 : target.shape[0] == b else {
      throw CosineError.shapeMismatch(operation: "\(loss) target (one label per pair)", target.shape, [b])
    }
    return target.scalars.map(Double.init)
  }

  /// Upstream weights per example for a reduction: `g/B` (mean), `g` (sum) or `g[i]` (none).
  package static func upstream<T>(_ g: Tensor<T>, reduction: Reduction, count b: Int) throws -> [Double] {
    switch reduction {
    case .none:
      guard g.shape == [b] else { throw CosineError.shapeMismatch(operation: "loss gradient", g.shape, [b]) }
      return g.scalars.map(Double.init)
    case .sum, .mean:
      guard g.count == 1, g.rank == 0 else { throw CosineError.shapeMismatch(operation: "loss gradient", g.shape, []) }
      let v = Double(g.scalars[0])
      return [Double](repeating: reduction == .sum ? v : (b == 0 ? 0 : v / Double(b)), count: b)
    }
  }

  /// Reduces per-example losses.
  package static func reduce<T: TensorScalar>(_ per: [Double], _ reduction: Reduction) -> Tensor<T> {
    switch reduction {
    case .none: return Tensor(uncheckedShape: [per.count], scalars: per.map { T($0) })
    case .sum: return Tensor(scalar: T(per.reduce(0, +)))
    case .mean: return Tensor(scalar: per.isEmpty ? 0 : T(per.reduce(0, +) / Double(per.count)))
    }
  }

  /// Checks a positive, finite scale.
  package static func checkScale(_ scale: Double) throws {
    guard scale > 0, scale.isFinite else {
      throw CosineError.invalidArgument("scale must be a finite number > 0, got \(scale)")
    }
  }
}

extension BatchLossGradients: CustomStringConvertible {
  /// The shapes of the gradients and the scale's gradient, on one line.
  public var description: String {
    "BatchLossGradients<\(Scalar.self)>: first \(Shape.describe(first.shape)), second \(Shape.describe(second.shape))"
      + (negatives.map { ", negatives \(Shape.describe($0.shape))" } ?? "") + ", scale \(scale)"
  }
}
