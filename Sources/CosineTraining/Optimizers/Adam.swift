import CosineCore
import CosineLosses
import RealModule

/// Adam, exactly as `torch.optim.Adam` (without AMSGrad), with PyTorch's defaults:
/// learning rate 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay.
///
/// At step `t` (from 1), for each parameter `p` with gradient `g`:
/// ```
/// g ← g + weightDecay·p
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// p ← p − (learningRate / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
/// ```
///
/// **Edge cases:** a zero gradient on the first step leaves `p` unchanged; NaN gradients make the
/// parameters NaN; hyperparameters out of range (a negative rate or eps, betas outside [0, 1))
/// make ``update(_:along:)`` throw.
public struct Adam<Scalar: TensorScalar>: Optimizer {
  public var learningRate: Double
  /// The decay of the first-moment estimate. Default 0.9.
  public var beta1: Double
  /// The decay of the second-moment estimate. Default 0.999.
  public var beta2: Double
  /// Added to the denominator for stability. Default 1e-8.
  public var eps: Double
  /// The L2 penalty added to the gradient. Default 0.
  public var weightDecay: Double

  /// The number of steps taken since creation or ``reset()``.
  public private(set) var step = 0
  private var m: [[Double]] = []
  private var v: [[Double]] = []
  private var shapes: [[Int]]?

  /// Creates the optimizer.
  public init(
    learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
    weightDecay: Double = 0
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
  }

  public mutating func reset() {
    step = 0
    m = []
    v = []
    shapes = nil
  }

  public mutating func update(_ parameters: inout [Tensor<Scalar>], along gradients: [Tensor<Scalar>]) throws {
    try checkHyperparameter(learningRate, "learning rate", optimizer: "Adam")
    try checkHyperparameter(eps, "eps", optimizer: "Adam")
    try checkHyperparameter(weightDecay, "weight decay", optimizer: "Adam")
    for (b, name) in [(beta1, "beta1"), (beta2, "beta2")] where !(b >= 0 && b < 1) {
      throw CosineError.invalidArgument("Adam: \(name) must be in [0, 1), got \(b)")
    }
    try checkStep(parameters, gradients, stateShapes: shapes, optimizer: "Adam")
    if shapes == nil {
      m = parameters.map { [Double](repeating: 0, count: $0.count) }
      v = m
    }
    step += 1
    let t = Double(step)
    let correction1 = 1 - Double.pow(beta1, t)
    let correction2Root = (1 - Double.pow(beta2, t)).squareRoot()
    let stepSize = learningRate / correction1
    let (b1, b2, e, wd) = (beta1, beta2, eps, weightDecay)
    for i in parameters.indices {
      var p = ScalarDispatch.toDoubles(parameters[i].scalars)
      let g = ScalarDispatch.toDoubles(gradients[i].scalars)
      m[i].withUnsafeMutableBufferPointer { mi in
        v[i].withUnsafeMutableBufferPointer { vi in
          for j in p.indices {
            var d = g[j]
            if wd != 0 { d += wd * p[j] }
            mi[j] = b1 * mi[j] + (1 - b1) * d
            vi[j] = b2 * vi[j] + (1 - b2) * d * d
            p[j] -= stepSize * mi[j] / (vi[j].squareRoot() / correction2Root + e)
          }
        }
      }
      parameters[i].scalars = ScalarDispatch.toScalars(p)
    }
    shapes = parameters.map(\.shape)
  }
}
