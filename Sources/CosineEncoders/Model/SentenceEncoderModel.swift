import CosineCore
import Foundation

/// A sentence-transformers model directory: the BERT `Transformer`, `Pooling` and an optional
/// `Normalize`, producing one embedding per sequence.
///
/// `modules.json` lists the modules; `sentence_bert_config.json` gives `max_seq_length`;
/// `1_Pooling/config.json` the pooling modes. A plain Hugging Face directory without
/// `modules.json` is read as sentence-transformers reads it: Transformer + mean pooling, no
/// normalization, `max_seq_length` = `max_position_embeddings`.
public struct SentenceEncoderModel: Sendable {
  /// The encoder.
  public internal(set) var bert: BertModel
  /// The pooling modes, concatenated in this order.
  public let poolingModes: [PoolingMode]
  /// Whether embeddings are scaled to unit length.
  public let normalizes: Bool
  /// The longest token sequence the tokenizer should produce.
  public let maxSequenceLength: Int
  /// Whether texts are lowercased before tokenizing (`do_lower_case` of
  /// `sentence_bert_config.json`, default false; the tokenizer's own lowercasing is separate).
  public let lowercasesInput: Bool

  /// The embedding width: modes × hidden size.
  public var dimension: Int { poolingModes.count * bert.configuration.hiddenSize }

  /// Loads the directory.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file and field, also
  ///   for a module type other than Transformer, Pooling and Normalize.
  public init(contentsOf directory: URL) throws {
    bert = try BertModel(contentsOf: directory)
    let modulesURL = directory.appendingPathComponent("modules.json")
    var modes: [PoolingMode] = [.mean]
    var normalizes = false
    if FileManager.default.fileExists(atPath: modulesURL.path) {
      let fail = { (reason: String) in EncoderModelError.invalidFile(path: modulesURL.path, reason: reason) }
      guard let modules = try ModelFile.json(modulesURL, as: [[String: Any]].self) else {
        throw fail("not a JSON list of modules")
      }
      var sawPooling = false
      for module in modules {
        guard let type = module["type"] as? String else { throw fail("a module has no field 'type'") }
        let path = (module["path"] as? String) ?? ""
        switch type.split(separator: ".").last.map(String.init) ?? type {
        case "Transformer": continue
        case "Pooling":
          modes = try PoolingMode.modes(
            contentsOf: directory.appendingPathComponent(path).appendingPathComponent("config.json"))
          sawPooling = true
        case "Normalize": normalizes = true
        default: throw fail("field 'type' '\(type)' is not a supported module (Transformer, Pooling, Normalize)")
        }
      }
      if !sawPooling { modes = [.mean] }
    }
    poolingModes = modes
    self.normalizes = normalizes
    let settings = try Self.settings(of: directory, maxPositions: bert.configuration.maxPositions)
    maxSequenceLength = settings.maxSequenceLength
    lowercasesInput = settings.lowercasesInput
  }

  /// `max_seq_length` (default `maxPositions`) and `do_lower_case` (default false) of the
  /// directory's `sentence_bert_config.json`, when there is one.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the field.
  static func settings(of directory: URL, maxPositions: Int) throws -> (maxSequenceLength: Int, lowercasesInput: Bool) {
    var maxLength = maxPositions
    var lowercases = false
    let stURL = directory.appendingPathComponent("sentence_bert_config.json")
    if FileManager.default.fileExists(atPath: stURL.path) {
      let json = try ModelFile.jsonObject(stURL)
      if let value = json["max_seq_length"] {
        guard let n = value as? NSNumber, n.doubleValue == n.doubleValue.rounded(), n.doubleValue >= 1,
          n.doubleValue <= Double(maxPositions)
        else {
          throw EncoderModelError.invalidFile(
            path: stURL.path, reason: "field 'max_seq_length' must be an integer in 1...\(maxPositions)")
        }
        maxLength = Int(n.doubleValue)
      }
      if let value = json["do_lower_case"] {
        guard let flag = value as? Bool else {
          throw EncoderModelError.invalidFile(path: stURL.path, reason: "field 'do_lower_case' must be true or false")
        }
        lowercases = flag
      }
    }
    return (maxLength, lowercases)
  }

  /// The sentence embeddings `[batch, dimension]` of a padded batch: token states, pooling, then
  /// L2 normalization when the directory has `Normalize`.
  ///
  /// - Parameters: as ``BertModel/hiddenStates(ids:attentionMask:batch:length:)``.
  /// - Throws: as ``BertModel/hiddenStates(ids:attentionMask:batch:length:)``.
  public func embeddings(ids: [Int32], attentionMask: [Int32], batch: Int, length: Int) throws -> Tensor<Float> {
    let states = try bert.hiddenStates(ids: ids, attentionMask: attentionMask, batch: batch, length: length)
    return try finish(states.scalars, attentionMask, batch, length)
  }

  /// ``embeddings(ids:attentionMask:batch:length:)`` in `Double` (the tests' reference path).
  public func embeddingsDouble(ids: [Int32], attentionMask: [Int32], batch: Int, length: Int) throws -> Tensor<Double> {
    let states = try bert.hiddenStatesDouble(ids: ids, attentionMask: attentionMask, batch: batch, length: length)
    return try finish(states.scalars, attentionMask, batch, length)
  }

  /// Pooled embeddings before normalization, for checks of each mode.
  public func pooled(ids: [Int32], attentionMask: [Int32], batch: Int, length: Int) throws -> Tensor<Double> {
    let states = try bert.hiddenStatesDouble(ids: ids, attentionMask: attentionMask, batch: batch, length: length)
    let h = bert.configuration.hiddenSize
    let p = Pooler<Double>.pool(
      states: states.scalars, mask: attentionMask, batch: batch, length: length, hidden: h, modes: poolingModes)
    return try Tensor(shape: [batch, dimension], scalars: p)
  }

  func finish<S: EncoderScalar>(_ states: [S], _ mask: [Int32], _ batch: Int, _ length: Int) throws -> Tensor<S> {
    let h = bert.configuration.hiddenSize
    var p = Pooler<S>.pool(states: states, mask: mask, batch: batch, length: length, hidden: h, modes: poolingModes)
    if normalizes { Pooler<S>.normalize(&p, rows: batch, width: dimension) }
    return try Tensor(shape: [batch, dimension], scalars: p)
  }
}
