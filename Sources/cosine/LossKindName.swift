import ArgumentParser
import CosineKit

/// The loss kinds as spelled on the command line, shared by `cosine loss --kind` and
/// `cosine train --loss`.
enum LossKindName: String, ExpressibleByArgument, CaseIterable {
  case keras
  case cosineDistance = "cosine-distance"
  case embedding
  case mse
  case mnrl, cosent, triplet, contrastive
  case onlineContrastive = "online-contrastive"

  /// The batch kind, or nil for the row-wise kinds.
  var batch: BatchLossKind? { BatchLossKind(rawValue: rawValue) }

  /// The row-wise loss (`margin` is the embedding loss's, default 0), or nil for the batch kinds.
  func rowKind(margin: Double?) -> CosineLoss.Kind? {
    switch self {
    case .keras: .keras
    case .cosineDistance: .cosineDistance()
    case .embedding: .embedding(margin: margin ?? 0)
    case .mse: .mse()
    case .mnrl, .cosent, .triplet, .contrastive, .onlineContrastive: nil
    }
  }
}

/// `--reduction none|sum|mean`.
extension Reduction: ExpressibleByArgument {}
