import ArgumentParser
import CosineKit

extension MultipleNegativesRankingLoss.PartitionMode: ExpressibleByArgument {}
extension MultipleNegativesRankingLoss.HardnessMode: ExpressibleByArgument {}

/// Options of the batch loss kinds of `cosine loss` and `cosine train`.
struct BatchLossOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Hard negatives for the rows of the second input: [N, D] or [k, N, D] (block j holds each row's j-th; triplet: one).",
      valueName: "N.npy"))
  var negatives: String?

  @Option(parsing: .unconditional, help: "Scale (inverse temperature) of mnrl and cosent. (default: 20)")
  var scale: Double?

  @Option(help: "mnrl directions, comma-separated: query_to_doc (required), query_to_query, doc_to_query, doc_to_doc.")
  var directions: String?

  @Option(help: "mnrl partition mode. (default: joint)")
  var partitionMode: MultipleNegativesRankingLoss.PartitionMode?

  @Option(help: "mnrl hardness mode.")
  var hardnessMode: MultipleNegativesRankingLoss.HardnessMode?

  @Option(parsing: .unconditional, help: "mnrl hardness strength (>= 0). (default: 0)")
  var hardnessStrength: Double?

  @Option(help: "Matryoshka dimensions, comma-separated (e.g. 768,512,256).")
  var matryoshkaDims: String?

  @Option(help: "Matryoshka weights, comma-separated, one per dimension. (default: 1 each)")
  var matryoshkaWeights: String?

  /// Whether any option here was given.
  var anyGiven: Bool {
    negatives != nil || scale != nil || directions != nil || partitionMode != nil || hardnessMode != nil
      || hardnessStrength != nil || matryoshkaDims != nil || matryoshkaWeights != nil
  }

  /// Parses a comma-separated list, naming the option on failure.
  static func list<V>(_ text: String, option: String, _ parse: (String) -> V?) throws -> [V] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard !text.isEmpty else { throw ValidationError("\(option) must not be empty") }
    return try parts.map {
      guard let v = parse($0) else { throw ValidationError("\(option): '\($0)' is not valid in '\(text)'") }
      return v
    }
  }
}

/// The command line's checks of the batch losses' options, from each kind's description in the
/// library (``BatchLossKind``): which options apply, and the loss they build.
extension BatchLossKind {
  /// Checks which options apply, naming the first that does not.
  func validate(_ o: BatchLossOptions, target: String?, margin: Double?, reduction: Reduction?) throws {
    let name = "--kind \(rawValue)"
    let needsTarget = labels != nil
    if needsTarget && target == nil { throw ValidationError("\(name) needs --target T.npy") }
    if !needsTarget && target != nil { throw ValidationError("--target does not apply to \(name)") }
    if negatives == .onePerAnchor && o.negatives == nil { throw ValidationError("\(name) needs --negatives N.npy") }
    if negatives == .none && o.negatives != nil { throw ValidationError("--negatives does not apply to \(name)") }
    if !hasMargin && margin != nil { throw ValidationError("--margin does not apply to \(name)") }
    if let margin, !margin.isFinite { throw ValidationError("--margin must be finite, got \(margin)") }
    if !hasReduction && reduction != nil {
      throw ValidationError("--reduction does not apply to \(name) (one value for the whole batch)")
    }
    if let s = o.scale {
      if !hasScale { throw ValidationError("--scale does not apply to \(name)") }
      guard s > 0, s.isFinite else { throw ValidationError("--scale must be a finite number > 0, got \(s)") }
    }
    if self != .mnrl {
      for (given, opt) in [
        (o.directions != nil, "--directions"), (o.partitionMode != nil, "--partition-mode"),
        (o.hardnessMode != nil, "--hardness-mode"),
      ] where given {
        throw ValidationError("\(opt) applies only to --kind mnrl")
      }
      if o.hardnessStrength != nil { throw ValidationError("--hardness-strength applies only to --kind mnrl") }
    }
    if o.matryoshkaWeights != nil && o.matryoshkaDims == nil {
      throw ValidationError("--matryoshka-weights needs --matryoshka-dims")
    }
    _ = try makeLoss(o, margin: margin, reduction: reduction ?? .mean)
  }

  /// The library loss these options describe (wrapped in Matryoshka when dims are given).
  func makeLoss(_ o: BatchLossOptions, margin: Double?, reduction: Reduction) throws -> any BatchCosineLoss {
    let base: any BatchCosineLoss
    do {
      switch self {
      case .mnrl:
        let dirs = try o.directions.map { text -> [MultipleNegativesRankingLoss.Direction] in
          do { return try MultipleNegativesRankingLoss.directions(parsing: text) } catch let e as CosineError {
            throw ValidationError("--directions: \(e)")
          }
        }
        let partition = o.partitionMode ?? .joint
        let hardness = o.hardnessMode
        if let s = o.hardnessStrength, !(s >= 0 && s.isFinite) {
          throw ValidationError("--hardness-strength must be a finite number >= 0, got \(s)")
        }
        if o.hardnessStrength != nil && hardness == nil {
          throw ValidationError("--hardness-strength needs --hardness-mode")
        }
        do {
          base = try MultipleNegativesRankingLoss(
            scale: o.scale ?? 20, directions: dirs ?? [.queryToDoc], partitionMode: partition,
            hardnessMode: hardness, hardnessStrength: o.hardnessStrength ?? 0, reduction: reduction)
        } catch let e as CosineError {
          throw ValidationError(o.directions != nil ? "--directions/--partition-mode: \(e)" : "\(e)")
        }
      case .cosent: base = try CoSENTLoss(scale: o.scale ?? 20)
      case .triplet: base = try CosineTripletLoss(margin: margin ?? 1, reduction: reduction)
      case .contrastive: base = try ContrastiveLoss(margin: margin ?? 0.5, reduction: reduction)
      case .onlineContrastive: base = try OnlineContrastiveLoss(margin: margin ?? 0.5)
      }
    }
    guard let dimsText = o.matryoshkaDims else { return base }
    let dims = try BatchLossOptions.list(dimsText, option: "--matryoshka-dims") {
      Int($0).flatMap { $0 > 0 ? $0 : nil }
    }
    let weights = try o.matryoshkaWeights.map {
      try BatchLossOptions.list($0, option: "--matryoshka-weights") { Double($0).flatMap { $0.isFinite ? $0 : nil } }
    }
    if let weights, weights.count != dims.count {
      throw ValidationError("--matryoshka-weights needs one weight per dimension (\(dims.count)), got \(weights.count)")
    }
    return try MatryoshkaLoss(base, dims: dims, weights: weights)
  }
}
