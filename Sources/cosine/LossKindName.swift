import ArgumentParser
import CosineKit

/// The loss kinds as spelled on the command line, shared by `cosine loss --kind` and
/// `cosine train --loss`: the row-wise kinds of ``CosineLoss`` and every ``BatchLossKind`` of the
/// library (a batch loss added there is accepted here with no change).
enum LossKindName: ExpressibleByArgument, Equatable, CustomStringConvertible {
  /// A row-wise kind, by its command-line name.
  case row(RowKind)
  /// A batch loss.
  case batch(BatchLossKind)

  /// The row-wise kinds.
  enum RowKind: String, CaseIterable {
    case keras
    case cosineDistance = "cosine-distance"
    case embedding
    case mse
  }

  static let cosineDistance = LossKindName.row(.cosineDistance)

  init?(argument: String) {
    if let r = RowKind(rawValue: argument) {
      self = .row(r)
    } else if let b = BatchLossKind(rawValue: argument) {
      self = .batch(b)
    } else {
      return nil
    }
  }

  static var allValueStrings: [String] {
    RowKind.allCases.map(\.rawValue) + BatchLossKind.allCases.map(\.rawValue)
  }

  /// The name as given on the command line.
  var rawValue: String {
    switch self {
    case .row(let r): r.rawValue
    case .batch(let b): b.rawValue
    }
  }

  var description: String { rawValue }
  var defaultValueDescription: String { rawValue }

  /// The batch kind, or nil for the row-wise kinds.
  var batch: BatchLossKind? {
    if case .batch(let b) = self { return b }
    return nil
  }

  /// The row-wise loss (`margin` is the embedding loss's, default 0), or nil for the batch kinds.
  func rowKind(margin: Double?) -> CosineLoss.Kind? {
    guard case .row(let r) = self else { return nil }
    switch r {
    case .keras: return .keras
    case .cosineDistance: return .cosineDistance()
    case .embedding: return .embedding(margin: margin ?? 0)
    case .mse: return .mse()
    }
  }
}

/// `--reduction none|sum|mean`.
extension Reduction: ExpressibleByArgument {}

/// `--quantize none|int8|binary`.
extension CosineIndexQuantization: ExpressibleByArgument {}
