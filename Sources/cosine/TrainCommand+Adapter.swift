import ArgumentParser
import CosineKit

/// `cosine train --adapter [--rank R] [--shared]`: identity-initialized linear adapters on
/// frozen embeddings (see ``AdapterTraining``).
extension TrainCommand {
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
