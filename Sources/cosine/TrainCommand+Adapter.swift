import ArgumentParser
import CosineKit

/// The learning-rate schedules of `cosine train --schedule`.
enum LearningRateSchedule: String, CaseIterable, ExpressibleByArgument {
  /// The rate of --learning-rate throughout.
  case constant
  /// Linear warm-up over the first 10% of the steps, then linear decay to 0 (``WarmupLinearSchedule``).
  case linear
}

/// The optimizer settings of one `cosine train` run, with the defaults filled in.
struct TrainingSettings {
  var epochs: Int
  var batchSize: Int
  var learningRate: Double
  var schedule: LearningRateSchedule

  /// Adam at the learning rate under the warm-up and linear-decay schedule (over
  /// `epochs · ⌈pairs / batchSize⌉` steps, the first 10% warm-up), or nil for a constant rate
  /// (the trainer's own Adam).
  func scheduledOptimizer(pairs: Int) -> WarmupLinearSchedule<Adam<Float>>? {
    guard schedule == .linear else { return nil }
    var recipe = AdapterTraining()
    recipe.epochs = epochs
    recipe.batchSize = batchSize
    recipe.learningRate = learningRate
    // The fraction is the recipe's default, inside [0, 1]: this cannot throw.
    return try! recipe.optimizer(pairs: pairs, scalar: Float.self)
  }
}

/// `cosine train --adapter [--rank R] [--shared]`: identity-initialized linear adapters on
/// frozen embeddings (see ``AdapterTraining``).
extension TrainCommand {
  /// The options with their defaults: those of ``AdapterTraining`` with --adapter (10 epochs,
  /// batch 256, rate 1e-3, linear schedule), else 20 epochs, batch 64, rate 1e-3, constant.
  var trainingSettings: TrainingSettings {
    let recipe = AdapterTraining()
    return TrainingSettings(
      epochs: epochs ?? (adapter ? recipe.epochs : 20), batchSize: batchSize ?? (adapter ? recipe.batchSize : 64),
      learningRate: learningRate ?? (adapter ? recipe.learningRate : 1e-3),
      schedule: schedule ?? (adapter ? .linear : .constant))
  }

  /// With --adapter and a loss other than mnrl, says on stderr that the defaults in effect were
  /// chosen for mnrl (nothing when every one of them is given).
  func warnIfAdapterDefaultsDoNotFit() {
    guard adapter, loss != .batch(.mnrl), epochs == nil || batchSize == nil || learningRate == nil || schedule == nil
    else { return }
    let r = AdapterTraining()
    writeToStandardError(
      "cosine train: note: the --adapter defaults (\(r.epochs) epochs, batch \(r.batchSize), learning rate "
        + "\(r.learningRate), --schedule linear) were chosen for --loss mnrl, not \(loss.rawValue)\n")
  }

  /// Checks the adapter options against each other.
  func validateAdapter() throws {
    if let rank {
      guard adapter else { throw ValidationError("--rank applies only with --adapter") }
      guard rank >= 1 else { throw ValidationError("--rank must be >= 1, got \(rank)") }
    }
  }

  /// The width of the adapters: both sides' rows must have it (the adapters keep the width, and
  /// the cosine compares the two sides).
  func adapterWidth(_ leftWidth: Int, _ rightWidth: Int) throws -> Int {
    guard leftWidth == rightWidth else {
      throw CosineError.invalidArgument(
        "--adapter needs rows of equal width on both sides, got \(leftWidth) (\(left)) and \(rightWidth) (\(right))")
    }
    if let rank, rank > leftWidth {
      throw CosineError.invalidArgument("--rank must be at most the row width \(leftWidth), got \(rank)")
    }
    return leftWidth
  }
}
