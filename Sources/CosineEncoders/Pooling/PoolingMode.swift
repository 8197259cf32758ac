import Foundation

/// A sentence-transformers pooling mode; several are concatenated in the order given.
public enum PoolingMode: String, Sendable, Equatable, CaseIterable {
  /// The first token with mask 1 (`[CLS]` for right padding).
  case cls
  /// The elementwise maximum over tokens with mask 1 (−∞ where there are none).
  case max
  /// `Σ mask·x / max(Σ mask, 1e-9)`.
  case mean
  /// `Σ mask·x / √max(Σ mask, 1e-9)`.
  case meanSqrtLength = "mean_sqrt_len_tokens"
  /// Mean weighted by position `1, 2, …` counted from the first real token:
  /// `Σ wᵢ·maskᵢ·xᵢ / max(Σ wᵢ·maskᵢ, 1e-9)`.
  case weightedMean = "weightedmean"
  /// The last token with mask 1 (zeros when there is none).
  case lastToken = "lasttoken"

  /// The legacy boolean keys of `1_Pooling/config.json`, in sentence-transformers' order.
  static let legacyKeys: [(String, PoolingMode)] = [
    ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
    ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLength),
    ("pooling_mode_weightedmean_tokens", .weightedMean), ("pooling_mode_lasttoken", .lastToken),
  ]

  /// Reads the modes of a `1_Pooling/config.json`: the `pooling_mode` string or list, else the
  /// legacy `pooling_mode_*` booleans in sentence-transformers' order; `[.mean]` when none is set.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the field.
  public static func modes(contentsOf url: URL) throws -> [PoolingMode] {
    let fail = { (reason: String) in EncoderModelError.invalidFile(path: url.path, reason: reason) }
    let json = try ModelFile.jsonObject(url)
    if let value = json["pooling_mode"] {
      let names: [Any] = (value as? String).map { [$0] } ?? (value as? [Any]) ?? []
      guard !names.isEmpty else { throw fail("field 'pooling_mode' is not a mode name or a list of them") }
      return try names.map {
        guard let s = $0 as? String, let mode = PoolingMode(rawValue: s) else {
          throw fail("field 'pooling_mode' has an unknown mode '\($0)'")
        }
        return mode
      }
    }
    let modes = legacyKeys.filter { (json[$0.0] as? Bool) == true }.map(\.1)
    return modes.isEmpty ? [.mean] : modes
  }
}
