import CosineCore
import CosineLosses

/// A pairwise `CosineLoss` (one cosine per pair: Keras' `cosine_similarity`, `1 − cos`,
/// PyTorch's `CosineEmbeddingLoss`, sentence-transformers' `CosineSimilarityLoss` = `(cos − score)²`)
/// as a batch loss, so ``EncoderTrainer`` trains with it: the first input is `yTrue`, the second
/// `yPred`, the target the per-pair labels or scores; it takes no negatives.
public struct PairwiseBatchLoss: BatchCosineLoss {
  /// The loss.
  public var loss: CosineLoss

  /// Wraps `loss`.
  public init(_ loss: CosineLoss) { self.loss = loss }

  public func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    guard negatives == nil else {
      throw CosineError.invalidArgument("the \(loss.kind.name) loss compares pairs and takes no negatives")
    }
    let (value, pullback) = try loss.valueWithPullback(first, second, target: target)
    return (
      value,
      { g in
        let (a, b) = try pullback(g)
        return BatchLossGradients(first: a, second: b)
      }
    )
  }
}
