import Foundation

/// The text side of a sentence encoder, without its weights: the tokenizer with the model
/// directory's lowercasing (`do_lower_case`) and length limits (`max_seq_length`,
/// `max_position_embeddings`), the ids `SentenceTransformer.tokenize` gives.
///
/// ```swift
/// let t = try SentenceTokenizer(contentsOf: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// t.tokenize("Hello, world!")   // [101, 7592, 1010, 2088, 999, 102]
/// ```
public struct SentenceTokenizer: Sendable {
  /// The tokenizer.
  public let tokenizer: BertTokenizer
  /// Whether texts are lowercased before tokenizing (`do_lower_case` of
  /// `sentence_bert_config.json`, default false).
  public let lowercasesInput: Bool
  /// The most tokens a text keeps, special tokens included (`max_seq_length`, default
  /// `max_position_embeddings`).
  public let maxSequenceLength: Int
  /// `max_position_embeddings` of `config.json`: the longest sequence the model takes.
  public let maxPositions: Int

  /// The `maxLength` values accepted: room for the special tokens and one more, up to
  /// ``maxPositions``.
  public var maxLengthRange: ClosedRange<Int> {
    (tokenizer.prefixIDs.count + tokenizer.suffixIDs.count + 1)...maxPositions
  }

  /// Loads the tokenizer files, `config.json` and `sentence_bert_config.json` of a model
  /// directory (not `model.safetensors`).
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file and field, also
  ///   when the tokenizer can produce ids beyond the model's `vocab_size`.
  public init(contentsOf directory: URL) throws {
    let configuration = try BertConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
    let settings = try SentenceEncoderModel.settings(of: directory, maxPositions: configuration.maxPositions)
    try self.init(
      tokenizer: try BertTokenizer(contentsOf: directory), directory: directory, configuration: configuration,
      maxSequenceLength: settings.maxSequenceLength, lowercasesInput: settings.lowercasesInput)
  }

  /// The parts, checking the tokenizer's ids against the configuration's vocabulary.
  init(
    tokenizer: BertTokenizer, directory: URL, configuration: BertConfiguration, maxSequenceLength: Int,
    lowercasesInput: Bool
  ) throws {
    if tokenizer.idLimit > configuration.vocabularySize {
      let file =
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("tokenizer.json").path)
        ? "tokenizer.json" : "vocab.txt"
      throw EncoderModelError.invalidFile(
        path: directory.appendingPathComponent(file).path,
        reason: "has ids up to \(tokenizer.idLimit - 1) but config.json's vocab_size is \(configuration.vocabularySize)"
      )
    }
    self.tokenizer = tokenizer
    self.maxSequenceLength = maxSequenceLength
    self.lowercasesInput = lowercasesInput
    self.maxPositions = configuration.maxPositions
  }

  /// The ids the model sees for `text`: special tokens included, truncated to `maxLength`
  /// (default ``maxSequenceLength``).
  public func tokenize(_ text: String, maxLength: Int? = nil) -> [Int32] {
    tokenizer.encode(lowercasesInput ? text.lowercased() : text, maxLength: maxLength ?? maxSequenceLength)
  }
}
