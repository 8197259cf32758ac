import CosineCore
import CosineLosses

extension TwoTowerModel {
  /// The batch loss of a batch of pairs (in-batch negatives) and its gradients with respect to
  /// ``parameters``.
  ///
  /// The left tower embeds the anchors (queries), the right tower the positives and the hard
  /// negatives (documents); with a shared tower one tower embeds all three.
  ///
  /// - Parameters:
  ///   - l: Left rows (argument `left`), `[B, in]`.
  ///   - r: Right rows (argument `right`), `[B, in′]`, pairing row by row with `l`.
  ///   - negatives: Hard-negative rows for the right tower, `[k·B, in′]` (k blocks of B rows:
  ///     row i of block j is pair i's j-th negative), or nil.
  ///   - target: Per-pair labels `[B]` for the losses that read them, or nil.
  ///   - loss: Any ``BatchCosineLoss`` whose value is one number (not ``Reduction/none``).
  /// - Returns: The loss value (a one-element tensor, as every loss returns) and one gradient per
  ///   parameter.
  /// - Throws: ``CosineError`` for shapes that do not fit the towers or the loss, or a loss
  ///   whose value is not a single number.
  public func lossAndGradients(
    left l: Tensor<Scalar>, right r: Tensor<Scalar>, negatives: Tensor<Scalar>?, target: Tensor<Scalar>?,
    loss: any BatchCosineLoss
  ) throws -> (loss: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    let tower = right ?? left
    let (el, pl) = try left.valueWithPullback(l)
    let (er, pr) = try tower.valueWithPullback(r)
    var en: Tensor<Scalar>?
    var pn: (@Sendable (Tensor<Scalar>) throws -> LayerGradient<Scalar>)?
    var negShape: [Int] = []
    if let negatives {
      let b = r.shape.first ?? 0
      guard negatives.rank == 2, b > 0, negatives.shape[0] % b == 0 else {
        throw CosineError.shapeMismatch(
          operation: "negatives (need k·B rows for the right tower, B = \(b))", negatives.shape, r.shape)
      }
      let (e, p) = try tower.valueWithPullback(negatives)
      negShape = [negatives.shape[0] / b, b, e.shape.last ?? 0]
      en = Tensor(uncheckedShape: negShape, scalars: e.scalars)
      pn = p
    }
    let (value, pullback) = try loss.valueWithPullback(el, er, negatives: en, target: target)
    guard value.count == 1 else {
      throw CosineError.invalidArgument("training needs a loss reduced to one value (sum or mean), not 'none'")
    }
    let g = try pullback(Tensor(uncheckedShape: value.shape, scalars: [1]))
    let dl = try pl(g.first).parameters
    var dr = try pr(g.second).parameters
    if let pn, let gn = g.negatives {
      let rows = Tensor(uncheckedShape: [negShape[0] * negShape[1], negShape[2]], scalars: gn.scalars)
      dr = zip(dr, try pn(rows).parameters).map { $0 + $1 }
    }
    let gradients = right == nil ? zip(dl, dr).map { $0 + $1 } : dl + dr
    return (value, gradients)
  }
}
