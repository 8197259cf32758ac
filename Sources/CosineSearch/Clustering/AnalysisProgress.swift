import CosineCore
import Dispatch

/// How far a long analysis (mining, clustering, community detection, outlier scores) has got.
///
/// The analyses call their `progress` closure after each unit of work: a block of query rows,
/// one k-means iteration. `completed` counts the units of the current `stage` out of `total`;
/// stages run in order and each restarts the count. The closure may throw (for example
/// `CancellationError`) to stop the analysis: the error is rethrown and nothing is returned.
public struct AnalysisProgress: Sendable, Equatable {
  /// What is running: `"neighbors"`, `"initialization"`, `"iterations"`, `"assignment"`,
  /// `"candidates"`, `"communities"`.
  public var stage: String
  /// Units of the stage done.
  public var completed: Int
  /// Units of the stage in all.
  public var total: Int

  /// `completed / total`, 1 for an empty stage.
  public var fractionCompleted: Double { total > 0 ? Double(completed) / Double(total) : 1 }

  /// A report of `completed` units of `total` in `stage`.
  public init(stage: String, completed: Int, total: Int) {
    self.stage = stage
    self.completed = completed
    self.total = total
  }
}

/// A synchronous analysis's progress closure.
public typealias AnalysisProgressHandler = (AnalysisProgress) throws -> Void

/// Validation shared by the analyses.
package enum AnalysisArguments {
  /// The rows of `x` as a matrix [N, D] (a rank-1 tensor is one row), or an error naming the
  /// analysis for an empty or non-matrix input.
  package static func matrix<T: TensorScalar>(_ x: Tensor<T>, _ operation: String) throws -> (Tensor<T>, Int, Int) {
    let m = x.rank == 1 ? x.reshaped([1, x.count]) : x
    guard m.rank == 2 else {
      throw CosineError.invalidShape("\(operation) needs rows [N, D], got shape \(Shape.describe(x.shape))")
    }
    guard m.shape[0] > 0, m.shape[1] > 0 else {
      throw CosineError.invalidShape(
        "\(operation) needs at least one row of at least one element, got shape \(Shape.describe(x.shape))")
    }
    return (m, m.shape[0], m.shape[1])
  }

  /// Rejects a threshold outside [−1, 1] (or NaN).
  package static func threshold(_ t: Double, _ name: String = "threshold") throws {
    guard t >= -1, t <= 1 else {
      throw CosineError.invalidArgument("\(name) must be in [-1, 1], got \(t)")
    }
  }
}

/// Runs blocking analysis work off the cooperative thread pool; cancelling the calling task makes
/// the next progress report throw `CancellationError`.
package enum AnalysisAsync {
  package static func run<R: Sendable>(
    progress: (@Sendable (AnalysisProgress) -> Void)?,
    _ body: @escaping @Sendable (_ report: @escaping AnalysisProgressHandler) throws -> R
  ) async throws -> R {
    let cancelled = CancelFlag()
    // Task-local overrides (thread count, kernel level) do not cross into the dispatch queue:
    // carry them.
    let overrides = KernelOverrides.current
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (c: CheckedContinuation<R, Error>) in
        DispatchQueue.global(qos: .userInitiated).async {
          do {
            let r = try overrides.bind {
              try body { p in
                if cancelled.value.load() { throw CancellationError() }
                progress?(p)
              }
            }
            c.resume(returning: r)
          } catch {
            c.resume(throwing: error)
          }
        }
      }
    } onCancel: {
      cancelled.value.store(true)
    }
  }

  package final class CancelFlag: Sendable {
    package let value = LockedValue<Bool>(false)
  }
}
