import CosineCore

/// The batch losses, named as sentence-transformers and the `cosine` command line name them, each
/// with what it takes: every check of a batch loss's inputs and options lives here or in the loss,
/// and the command line and the trainer read it instead of repeating it.
///
/// ```swift
/// let kind = BatchLossKind.contrastive
/// kind.labels            // .unitInterval: one label in [0, 1] per pair
/// kind.negatives         // .none
/// try kind.checkLabels([0, 1, 0.5])
/// ```
public enum BatchLossKind: String, CaseIterable, Sendable, CustomStringConvertible {
  /// ``MultipleNegativesRankingLoss`` (InfoNCE).
  case mnrl
  /// ``CoSENTLoss``.
  case cosent
  /// ``CosineTripletLoss``.
  case triplet
  /// ``ContrastiveLoss``.
  case contrastive
  /// ``OnlineContrastiveLoss``.
  case onlineContrastive = "online-contrastive"

  /// Whether a loss takes hard negatives beyond its two `[B, D]` inputs.
  public enum Negatives: Sendable {
    /// Takes none: negatives are an error.
    case none
    /// Optional: `[n, B, D]` (n blocks, row i of block k is anchor i's k-th negative) or `[B, D]`.
    case optional
    /// Required, one per anchor: `[B, D]` (or `[1, B, D]`).
    case onePerAnchor
  }

  /// The labels a loss takes, one per pair, and their range.
  public enum Labels: Sendable, CustomStringConvertible {
    /// Any finite value: only their order matters (CoSENT ranks pairs by label).
    case anyFinite
    /// A value in [0, 1] (a similarity, or 0 and 1 for dissimilar and similar pairs).
    case unitInterval
    /// Exactly 0 (dissimilar) or 1 (similar).
    case binary

    /// The range in words, as errors print it.
    public var description: String {
      switch self {
      case .anyFinite: "any finite value"
      case .unitInterval: "a value in [0, 1]"
      case .binary: "0 or 1"
      }
    }

    /// Whether `label` is in the range.
    public func contains(_ label: Double) -> Bool {
      switch self {
      case .anyFinite: label.isFinite
      case .unitInterval: label >= 0 && label <= 1
      case .binary: label == 0 || label == 1
      }
    }
  }

  /// The name, as the command line spells it (`mnrl`, `online-contrastive`, …).
  public var description: String { rawValue }

  /// The negatives the loss takes.
  public var negatives: Negatives {
    switch self {
    case .mnrl: .optional
    case .triplet: .onePerAnchor
    case .cosent, .contrastive, .onlineContrastive: .none
    }
  }

  /// The labels the loss takes (one per pair), or nil when it takes none.
  public var labels: Labels? {
    switch self {
    case .mnrl, .triplet: nil
    case .cosent: .anyFinite
    case .contrastive: .unitInterval
    case .onlineContrastive: .binary
    }
  }

  /// Whether the loss has one value per example and so a ``Reduction`` (the others give one value
  /// for the whole batch).
  public var hasReduction: Bool { self == .mnrl || self == .triplet || self == .contrastive }

  /// Whether the loss has a scale (inverse temperature).
  public var hasScale: Bool { self == .mnrl || self == .cosent }

  /// Whether the loss has a margin.
  public var hasMargin: Bool { self == .triplet || self == .contrastive || self == .onlineContrastive }

  /// Checks one label per pair against ``labels``.
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` naming the first label out of range (or any
  ///   label, for a loss that takes none).
  public func checkLabels(_ labels: [Double]) throws {
    guard let range = self.labels else { throw CosineError.invalidArgument("the \(self) loss takes no labels") }
    if let i = labels.firstIndex(where: { !range.contains($0) }) {
      throw CosineError.invalidArgument(
        "\(self) labels must be \(range), got \(labels[i]) at index \(i)")
    }
  }

  /// The number of negative blocks in negatives of shape `shape` for a batch of `b` rows of `d`
  /// values: n for `[n, B, D]`, 1 for `[B, D]`.
  ///
  /// - Throws: ``CosineError`` when the loss takes no negatives, or the shape is not one it takes.
  public func negativeBlocks(shape: [Int], batch b: Int, dim d: Int) throws -> Int {
    let blocks: Int?
    if shape == [b, d] {
      blocks = 1
    } else if shape.count == 3, shape[1] == b, shape[2] == d {
      blocks = shape[0]
    } else {
      blocks = nil
    }
    switch negatives {
    case .none:
      throw CosineError.invalidArgument("the \(self) loss takes no negatives")
    case .optional:
      if let blocks { return blocks }
      throw CosineError.shapeMismatch(
        operation: "\(self) negatives (must be [n, B, D] or [B, D] with the anchors' B and D)", shape, [b, d])
    case .onePerAnchor:
      if blocks == 1 { return 1 }
      throw CosineError.shapeMismatch(
        operation: "\(self) negatives (one per anchor: [B, D] or [1, B, D])", shape, [b, d])
    }
  }
}
