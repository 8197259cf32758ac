import CosineCore
import CosineLosses

/// Two towers that embed paired inputs into one space, trained with a cosine loss.
///
/// The left tower embeds the left rows and the right tower the right rows; a cosine loss (see
/// ``CosineLoss``) compares the two embeddings of each pair. With ``right`` set to `nil` one
/// tower embeds both sides (a Siamese model, sharing its weights).
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// var model = TwoTowerModel<Float>(
///   left: .multilayerPerceptron(sizes: [32, 64, 16], activation: .tanh, generator: &rng),
///   right: .multilayerPerceptron(sizes: [32, 64, 16], activation: .tanh, generator: &rng))
/// let (loss, gradients) = try model.lossAndGradients(left: a, right: b, target: y, loss: CosineLoss(.embedding(margin: 0.2)))
/// try adam.update(&model.parameters, along: gradients)
/// ```
public struct TwoTowerModel<Scalar: TensorScalar>: Sendable {
  /// The tower applied to left rows (and to right rows when ``right`` is `nil`).
  public var left: Sequential<Scalar>
  /// The tower applied to right rows, or `nil` to share ``left``.
  public var right: Sequential<Scalar>?

  /// Creates a model; `right: nil` shares the left tower.
  public init(left: Sequential<Scalar>, right: Sequential<Scalar>?) {
    self.left = left
    self.right = right
  }

  /// Whether one tower embeds both sides.
  public var isShared: Bool { right == nil }

  /// The parameters of the left tower followed by those of the right tower (if not shared).
  public var parameters: [Tensor<Scalar>] {
    get { left.parameters + (right?.parameters ?? []) }
    set {
      let n = left.parameters.count
      left.parameters = Array(newValue.prefix(n))
      if right != nil { right!.parameters = Array(newValue.dropFirst(n)) }
    }
  }

  /// Embeddings of left rows.
  public func embedLeft(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> { try left(x) }

  /// Embeddings of right rows.
  public func embedRight(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> { try (right ?? left)(x) }

  /// The loss of a batch of pairs and its gradients with respect to ``parameters``.
  ///
  /// - Parameters:
  ///   - leftRows: Left rows, `[n, in]`.
  ///   - rightRows: Right rows, `[n, in′]`, pairing row by row with `leftRows`.
  ///   - target: Per-pair targets (±1 for `embedding`, labels for `mse`), `[n]`, or `nil`.
  ///   - loss: The loss, reduced to a scalar (its reduction must not be ``Reduction/none``).
  /// - Returns: The loss value (a rank-0 tensor, as every loss returns) and one gradient per
  ///   parameter.
  /// - Throws: ``CosineError`` for shapes that do not fit the towers or the loss.
  public func lossAndGradients(
    left leftRows: Tensor<Scalar>, right rightRows: Tensor<Scalar>, target: Tensor<Scalar>?, loss: CosineLoss
  ) throws -> (loss: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    guard loss.reduction != .none else {
      throw CosineError.invalidArgument("training needs a loss reduced to one value (sum or mean), not 'none'")
    }
    let (el, pl) = try left.valueWithPullback(leftRows)
    let (er, pr) = try (right ?? left).valueWithPullback(rightRows)
    let (value, pullback) = try loss.valueWithPullback(el, er, target: target)
    let (gl, gr) = try pullback(Tensor(scalar: 1))
    let dl = try pl(gl).parameters
    let dr = try pr(gr).parameters
    let gradients = right == nil ? zip(dl, dr).map { $0 + $1 } : dl + dr
    return (value, gradients)
  }
}
