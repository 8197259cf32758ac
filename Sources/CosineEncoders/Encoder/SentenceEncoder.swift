import CosineCore
import Foundation

/// Text in, embeddings out: a sentence-transformers model directory's tokenizer and encoder, the
/// Swift form of `SentenceTransformer(path).encode(texts)`.
///
/// ```swift
/// let encoder = try SentenceEncoder(contentsOf: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let e = try encoder.encode(["A man is eating food.", "Someone is eating."])  // [2, 384]
/// let index = try CosineIndex(corpus: e)
/// ```
///
/// Each text is tokenized (``BertTokenizer``), truncated to `max_seq_length` (from
/// `sentence_bert_config.json`) with its special tokens, and run through the ``BertModel``,
/// the pooling and the normalization the directory's `modules.json` lists. Texts are grouped
/// into batches by token count, longest first, as sentence-transformers does; each text's tokens
/// are computed apart from the padding of its batch, so a text's embedding does not depend on
/// its batch mates. Matches sentence-transformers to about 1e-6 per component in `Float`.
public struct SentenceEncoder: Sendable {
  /// The encoder, pooling and normalization.
  public internal(set) var model: SentenceEncoderModel
  /// The embedding width.
  public var dimension: Int { model.dimension }
  /// The most tokens a text keeps, special tokens included.
  public var maxSequenceLength: Int { model.maxSequenceLength }

  /// The `maxLength` values accepted: room for the special tokens and one more, up to
  /// `max_position_embeddings`.
  public var maxLengthRange: ClosedRange<Int> { textTokenizer.maxLengthRange }

  /// The tokenizer with the directory's lowercasing and length limits.
  public let textTokenizer: SentenceTokenizer

  /// Loads a model directory (see ``SentenceEncoderModel/init(contentsOf:)`` and
  /// ``SentenceTokenizer/init(contentsOf:)``).
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file and field, also
  ///   when the tokenizer can produce ids beyond the model's vocabulary.
  public init(contentsOf directory: URL) throws {
    model = try SentenceEncoderModel(contentsOf: directory)
    textTokenizer = try SentenceTokenizer(
      tokenizer: try BertTokenizer(contentsOf: directory), directory: directory,
      configuration: model.bert.configuration, maxSequenceLength: model.maxSequenceLength,
      lowercasesInput: model.lowercasesInput)
  }

  /// The tokenizer.
  public var tokenizer: BertTokenizer { textTokenizer.tokenizer }

  /// The ids the model sees for `text`: special tokens included, truncated to `maxLength`
  /// (default ``maxSequenceLength``).
  public func tokenize(_ text: String, maxLength: Int? = nil) -> [Int32] {
    textTokenizer.tokenize(text, maxLength: maxLength)
  }

  /// The embeddings `[texts.count, dimension]` of `texts`, row `i` for `texts[i]`.
  ///
  /// - Parameters:
  ///   - texts: the texts (an empty list gives `[0, dimension]`).
  ///   - batchSize: texts per forward pass (sentence-transformers' default is 32); larger batches
  ///     use more memory (about batch × length × intermediate size floats) for little speed.
  ///   - maxLength: the most tokens per text, special tokens included; default and upper bound
  ///     ``maxSequenceLength``; at most `max_position_embeddings`.
  ///   - progress: called after each batch with the number of texts done and the total.
  /// - Throws: ``EncoderModelError/invalidArgument(name:reason:)`` for a batch size below 1 or a
  ///   `maxLength` outside `(special tokens + 1)...max_position_embeddings`;
  ///   `CosineError.invalidShape` when a batch's buffers would not fit in the memory available.
  public func encode(
    _ texts: [String], batchSize: Int = 32, maxLength: Int? = nil, progress: ((Int, Int) -> Void)? = nil
  ) throws -> Tensor<Float> {
    try run(texts, batchSize, maxLength, progress) { ids, mask, b, l in
      try model.embeddings(ids: ids, attentionMask: mask, batch: b, length: l)
    }
  }

  /// The synchronous `encode(_:batchSize:maxLength:progress:)`, run off the caller's thread.
  public func encode(
    _ texts: [String], batchSize: Int = 32, maxLength: Int? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil
  ) async throws -> Tensor<Float> {
    let encoder = self
    return try await Task.detached {
      try encoder.encode(
        texts, batchSize: batchSize, maxLength: maxLength, progress: progress.map { p in { p($0, $1) } })
    }.value
  }

  /// `encode(_:batchSize:maxLength:progress:)` computed in `Double` from the same weights (the
  /// tests' reference path).
  public func encodeDouble(_ texts: [String], batchSize: Int = 32, maxLength: Int? = nil) throws -> Tensor<Double> {
    try run(texts, batchSize, maxLength, nil) { ids, mask, b, l in
      try model.embeddingsDouble(ids: ids, attentionMask: mask, batch: b, length: l)
    }
  }

  func run<S: EncoderScalar>(
    _ texts: [String], _ batchSize: Int, _ maxLength: Int?, _ progress: ((Int, Int) -> Void)?,
    _ forward: ([Int32], [Int32], Int, Int) throws -> Tensor<S>
  ) throws -> Tensor<S> {
    guard batchSize >= 1 else {
      throw EncoderModelError.invalidArgument(name: "batchSize", reason: "must be at least 1, not \(batchSize)")
    }
    if let maxLength, !maxLengthRange.contains(maxLength) {
      throw EncoderModelError.invalidArgument(
        name: "maxLength", reason: "must be in \(maxLengthRange) (max_position_embeddings), not \(maxLength)")
    }
    let d = dimension
    let n = texts.count
    let sequences = texts.map { tokenize($0, maxLength: maxLength) }
    // Longest first, ties in input order: batches of similar lengths waste no padding.
    let order = sequences.indices.sorted {
      sequences[$0].count != sequences[$1].count ? sequences[$0].count > sequences[$1].count : $0 < $1
    }
    var out = [S](repeating: 0, count: n * d)
    var done = 0
    var start = 0
    while start < n {
      let members = order[start..<min(n, start + batchSize)]
      let length = members.map { sequences[$0].count }.max() ?? 0
      // The forward pass's buffers for the batch's tokens (states, Q/K/V, context, projection,
      // feed-forward): checked before anything is allocated.
      let c = model.bert.configuration
      try MemoryBudget.check(
        count: MemoryBudget.elementCount([members.count, length, 6 * c.hiddenSize + c.intermediateSize]),
        elementSize: MemoryLayout<S>.stride,
        "a batch of \(members.count) texts × \(length) tokens (lower the batch size)")
      var ids = [Int32](repeating: tokenizer.paddingID, count: members.count * length)
      var mask = [Int32](repeating: 0, count: members.count * length)
      for (row, i) in members.enumerated() {
        for (j, id) in sequences[i].enumerated() {
          ids[row * length + j] = id
          mask[row * length + j] = 1
        }
      }
      let e = try forward(ids, mask, members.count, length)
      e.scalars.withUnsafeBufferPointer { src in
        for (row, i) in members.enumerated() {
          for j in 0..<d { out[i * d + j] = src[row * d + j] }
        }
      }
      done += members.count
      progress?(done, n)
      start += batchSize
    }
    return try Tensor(shape: [n, d], scalars: out)
  }
}
