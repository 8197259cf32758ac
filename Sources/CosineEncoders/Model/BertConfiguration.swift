import Foundation

/// The activation of a BERT feed-forward block (`hidden_act` in `config.json`).
public enum BertActivation: String, Sendable, Equatable {
  /// `gelu`: `x · Φ(x) = ½x(1 + erf(x/√2))`, the exact form.
  case gelu
  /// `gelu_new` / `gelu_pytorch_tanh`: `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
  case geluTanh
  /// `relu`: `max(x, 0)`.
  case relu
}

/// The shape of a BERT encoder, read from a Hugging Face `config.json`.
///
/// Only `model_type` `bert` with absolute position embeddings is accepted.
public struct BertConfiguration: Sendable, Equatable {
  /// Rows of the word-embedding table (`vocab_size`).
  public let vocabularySize: Int
  /// Width of every token state (`hidden_size`).
  public let hiddenSize: Int
  /// Number of encoder layers (`num_hidden_layers`).
  public let layerCount: Int
  /// Number of attention heads (`num_attention_heads`); divides ``hiddenSize``.
  public let headCount: Int
  /// Width of the feed-forward block (`intermediate_size`).
  public let intermediateSize: Int
  /// Feed-forward activation (`hidden_act`).
  public let activation: BertActivation
  /// LayerNorm epsilon (`layer_norm_eps`, default 1e-12).
  public let layerNormEpsilon: Double
  /// Rows of the position-embedding table (`max_position_embeddings`): the longest sequence.
  public let maxPositions: Int
  /// Rows of the token-type table (`type_vocab_size`, default 2); type 0 is used.
  public let typeVocabularySize: Int
  /// Dropout of the embeddings' output and of each sub-layer's output before its residual sum
  /// (`hidden_dropout_prob`, default 0.1): used only in training.
  public var hiddenDropout: Double
  /// Dropout of the attention probabilities (`attention_probs_dropout_prob`, default 0.1): used
  /// only in training.
  public var attentionDropout: Double

  /// Width of one head: ``hiddenSize`` / ``headCount``.
  public var headSize: Int { hiddenSize / headCount }

  /// Reads `config.json`.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the field if the file is
  ///   not a JSON object, `model_type` is not `bert`, `position_embedding_type` is not
  ///   `absolute`, `hidden_act` is unsupported, or a size is missing, not an integer, or outside
  ///   its range (sizes up to 2^20, layers and heads up to 4096, hidden divisible by heads).
  public init(contentsOf url: URL) throws {
    let path = url.path
    let fail = { (reason: String) in EncoderModelError.invalidFile(path: path, reason: reason) }
    let json = try ModelFile.jsonObject(url, limit: 16_000_000)
    guard let type = json["model_type"] as? String else { throw fail("field 'model_type' is missing") }
    guard type == "bert" else { throw fail("field 'model_type' is '\(type)', only 'bert' is supported") }
    if let position = json["position_embedding_type"] {
      guard let p = position as? String, p == "absolute" else {
        throw fail("field 'position_embedding_type' must be 'absolute'")
      }
    }
    func int(_ key: String, _ range: ClosedRange<Int>, default value: Int? = nil) throws -> Int {
      guard let raw = json[key] else {
        if let value { return value }
        throw fail("field '\(key)' is missing")
      }
      guard let n = raw as? NSNumber, n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 1e15 else {
        throw fail("field '\(key)' is not an integer")
      }
      let v = Int(n.doubleValue)
      guard range.contains(v) else { throw fail("field '\(key)' is \(v), outside \(range)") }
      return v
    }
    let limit = 1 << 20
    vocabularySize = try int("vocab_size", 1...(limit * 4))
    hiddenSize = try int("hidden_size", 1...limit)
    layerCount = try int("num_hidden_layers", 1...4096)
    headCount = try int("num_attention_heads", 1...4096)
    guard hiddenSize % headCount == 0 else {
      throw fail("field 'num_attention_heads' (\(headCount)) does not divide 'hidden_size' (\(hiddenSize))")
    }
    intermediateSize = try int("intermediate_size", 1...limit)
    maxPositions = try int("max_position_embeddings", 1...limit)
    typeVocabularySize = try int("type_vocab_size", 1...4096, default: 2)
    let act = (json["hidden_act"] as? String) ?? "gelu"
    switch act {
    case "gelu": activation = .gelu
    case "gelu_new", "gelu_pytorch_tanh": activation = .geluTanh
    case "relu": activation = .relu
    default: throw fail("field 'hidden_act' is '\(act)', not gelu, gelu_new, gelu_pytorch_tanh or relu")
    }
    if let eps = json["layer_norm_eps"] {
      guard let e = eps as? NSNumber, e.doubleValue > 0, e.doubleValue < 1 else {
        throw fail("field 'layer_norm_eps' must be a number in (0, 1)")
      }
      layerNormEpsilon = e.doubleValue
    } else {
      layerNormEpsilon = 1e-12
    }
    func probability(_ key: String) throws -> Double {
      guard let raw = json[key] else { return 0.1 }
      guard let p = raw as? NSNumber, p.doubleValue >= 0, p.doubleValue < 1 else {
        throw fail("field '\(key)' must be a number in [0, 1)")
      }
      return p.doubleValue
    }
    hiddenDropout = try probability("hidden_dropout_prob")
    attentionDropout = try probability("attention_probs_dropout_prob")
  }
}
