import CosineCore
import CosineLosses

/// Stochastic gradient descent with momentum, exactly as `torch.optim.SGD`.
///
/// For each parameter `p` with gradient `g`, one step is:
/// ```
/// g ← g + weightDecay·p
/// if momentum ≠ 0:
///     buf ← g                              (first step)
///     buf ← momentum·buf + (1 − dampening)·g  (later steps)
///     g ← nesterov ? g + momentum·buf : buf
/// p ← p − learningRate·g
/// ```
/// The defaults are PyTorch's (momentum, dampening and weight decay 0, no Nesterov).
///
/// **Edge cases:** NaN gradients make the parameters NaN (no clipping); hyperparameters that are
/// negative or not finite make ``update(_:along:)`` throw, as do Nesterov momentum with a zero
/// momentum or a non-zero dampening (PyTorch rejects these too).
public struct SGD<Scalar: TensorScalar>: Optimizer {
  public var learningRate: Double
  /// The momentum factor μ. Default 0.
  public var momentum: Double
  /// The dampening of the gradient in the momentum buffer. Default 0.
  public var dampening: Double
  /// The L2 penalty added to the gradient. Default 0.
  public var weightDecay: Double
  /// Whether to use Nesterov momentum. Default `false`.
  public var nesterov: Bool

  /// The momentum buffers, one per parameter (`nil` before the first step).
  private var buffers: [[Double]]?
  private var shapes: [[Int]]?

  /// Creates the optimizer.
  public init(
    learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
    nesterov: Bool = false
  ) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
  }

  public mutating func reset() {
    buffers = nil
    shapes = nil
  }

  public mutating func update(_ parameters: inout [Tensor<Scalar>], along gradients: [Tensor<Scalar>]) throws {
    try checkHyperparameter(learningRate, "learning rate", optimizer: "SGD")
    try checkHyperparameter(momentum, "momentum", optimizer: "SGD")
    try checkHyperparameter(dampening, "dampening", optimizer: "SGD")
    try checkHyperparameter(weightDecay, "weight decay", optimizer: "SGD")
    if nesterov && (momentum <= 0 || dampening != 0) {
      throw CosineError.invalidArgument("SGD: Nesterov momentum needs a momentum > 0 and zero dampening")
    }
    try checkStep(parameters, gradients, stateShapes: shapes, optimizer: "SGD")
    let first = buffers == nil
    var bufs = buffers ?? parameters.map { [Double](repeating: 0, count: $0.count) }
    let (lr, mu, damp, wd, nest) = (learningRate, momentum, dampening, weightDecay, nesterov)
    for i in parameters.indices {
      var p = ScalarDispatch.toDoubles(parameters[i].scalars)
      let g = ScalarDispatch.toDoubles(gradients[i].scalars)
      bufs[i].withUnsafeMutableBufferPointer { buf in
        for j in p.indices {
          var d = g[j]
          if wd != 0 { d += wd * p[j] }
          if mu != 0 {
            buf[j] = first ? d : mu * buf[j] + (1 - damp) * d
            d = nest ? d + mu * buf[j] : buf[j]
          }
          p[j] -= lr * d
        }
      }
      parameters[i].scalars = ScalarDispatch.toScalars(p)
    }
    if momentum != 0 { buffers = bufs }
    shapes = parameters.map(\.shape)
  }
}
