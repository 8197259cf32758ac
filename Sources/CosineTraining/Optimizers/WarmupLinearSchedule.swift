import CosineCore
import CosineLosses

/// A learning-rate schedule around any ``Optimizer``: linear warm-up from 0 to the peak rate,
/// then linear decay to 0 — transformers' `get_linear_schedule_with_warmup`, the schedule
/// sentence-transformers trains with.
///
/// Step `s` (0-based: the first ``update(_:along:)`` is step 0) runs the base optimizer at
/// ```
/// rate(s) = peak · s / warmupSteps                                     if s < warmupSteps
/// rate(s) = peak · max(0, (totalSteps − s) / max(1, totalSteps − warmupSteps))   otherwise
/// ```
/// where `peak` is ``learningRate``. As in transformers, the first step of a warm-up runs at rate 0
/// (it still advances the base optimizer's state: Adam's moment estimates and step count).
///
/// **Edge cases:** `warmupSteps == 0` starts at the peak; steps at or past `totalSteps` run at rate
/// 0 (the parameters stay put); negative step counts or `warmupSteps > totalSteps` make
/// ``update(_:along:)`` throw.
public struct WarmupLinearSchedule<Base: Optimizer>: Optimizer {
  /// The element type of the parameters (the base optimizer's).
  public typealias Scalar = Base.Scalar

  /// The optimizer that takes the steps; its own `learningRate` is overwritten before each step.
  public var base: Base
  /// The peak rate, reached at the end of the warm-up.
  public var learningRate: Double
  /// Steps of linear warm-up from 0 to ``learningRate``.
  public var warmupSteps: Int
  /// Steps after which the rate is 0 (warm-up included).
  public var totalSteps: Int
  /// Steps taken since creation or ``reset()``.
  public private(set) var step = 0

  /// Wraps `base`, whose `learningRate` is the peak rate.
  ///
  /// - Parameters:
  ///   - base: The optimizer, e.g. ``Adam``.
  ///   - warmupSteps: Steps of warm-up (>= 0, at most `totalSteps`).
  ///   - totalSteps: The length of the schedule (>= 0).
  public init(_ base: Base, warmupSteps: Int, totalSteps: Int) {
    self.base = base
    self.learningRate = base.learningRate
    self.warmupSteps = warmupSteps
    self.totalSteps = totalSteps
  }

  /// The rate of step `s` (0-based); see the type's formula.
  ///
  /// - Complexity: O(1).
  public func rate(atStep s: Int) -> Double {
    Self.rate(atStep: s, peak: learningRate, warmupSteps: warmupSteps, totalSteps: totalSteps)
  }

  /// The rate of step `s` (0-based) of a schedule peaking at `peak`; see the type's formula.
  public static func rate(atStep s: Int, peak: Double, warmupSteps: Int, totalSteps: Int) -> Double {
    if s < warmupSteps { return peak * Double(s) / Double(warmupSteps) }
    return peak * Swift.max(0, Double(totalSteps - s) / Double(Swift.max(1, totalSteps - warmupSteps)))
  }

  /// Runs the base optimizer at ``rate(atStep:)`` of the current step, then advances the step.
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` for negative step counts or a warm-up longer
  ///   than the schedule; what the base optimizer throws (then the step does not advance).
  public mutating func update(_ parameters: inout [Tensor<Scalar>], along gradients: [Tensor<Scalar>]) throws {
    guard warmupSteps >= 0, totalSteps >= 0, warmupSteps <= totalSteps else {
      throw CosineError.invalidArgument(
        "warm-up schedule: need 0 <= warmupSteps <= totalSteps, got \(warmupSteps) and \(totalSteps)")
    }
    base.learningRate = rate(atStep: step)
    try base.update(&parameters, along: gradients)
    step += 1
  }

  /// Resets the base optimizer and restarts the schedule.
  public mutating func reset() {
    base.reset()
    step = 0
  }
}
