import Foundation

/// BERT's WordPiece tokenizer, giving the ids of Hugging Face `tokenizers` (and so of
/// sentence-transformers) for any text.
///
/// The steps, as `tokenizers` runs them:
/// 1. the added tokens (`[CLS]`, `[SEP]`, … written in the text) are matched first, leftmost and
///    longest, and keep their ids;
/// 2. the rest goes through the ``BertNormalizer`` and BERT's pre-tokenizer (whitespace and
///    punctuation split words);
/// 3. each word becomes WordPiece entries (greedy longest match, `##` continuations), or `[UNK]`
///    when no segmentation exists or the word has more than `max_input_chars_per_word` scalars;
/// 4. ``encode(_:maxLength:)`` truncates to the length limit and adds the post-processor's
///    special tokens (`[CLS] … [SEP]`).
///
/// ```swift
/// let tokenizer = try BertTokenizer(contentsOf: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// tokenizer.encode("Hello, world!")  // [101, 7592, 1010, 2088, 999, 102]
/// ```
public struct BertTokenizer: Sendable {
  /// The normalizer, or `nil` when the tokenizer has none.
  public let normalizer: BertNormalizer?
  /// Whether BERT's pre-tokenizer splits words (`false`: each piece of text is one word).
  public let splitsWords: Bool
  /// The tokens matched before normalization.
  public let addedTokens: [AddedToken]
  /// The ids the post-processor puts before the text's ids (`[CLS]`).
  public let prefixIDs: [Int32]
  /// The ids the post-processor puts after the text's ids (`[SEP]`).
  public let suffixIDs: [Int32]
  /// The id padding positions carry (`[PAD]`, else 0).
  public let paddingID: Int32
  /// The unknown token's id.
  public var unknownID: Int32 { wordPiece.unknownID }
  /// One more than the largest id the tokenizer can produce.
  public let idLimit: Int

  let wordPiece: WordPiece
  let rawMatcher: AddedTokenMatcher
  let normalizedMatcher: AddedTokenMatcher
  let tokensByID: [Int32: String]

  /// A tokenizer from its parts.
  ///
  /// - Parameters:
  ///   - vocabulary: the WordPiece entries and their ids.
  ///   - unknownToken: the entry for words without a segmentation; must be in `vocabulary`.
  ///   - continuingPrefix: the mark of continuation entries.
  ///   - maxInputCharactersPerWord: longer words are unknown.
  ///   - normalizer: the normalizer, if any.
  ///   - splitsWords: whether BERT's pre-tokenizer runs.
  ///   - addedTokens: tokens matched before normalization.
  ///   - prefixIDs: ids put before each text's ids.
  ///   - suffixIDs: ids put after them.
  ///   - paddingID: the padding id.
  /// - Throws: ``EncoderModelError/invalidArgument(name:reason:)`` for an unknown token missing
  ///   from the vocabulary, a negative id or a non-positive word length.
  public init(
    vocabulary: [String: Int32], unknownToken: String = "[UNK]", continuingPrefix: String = "##",
    maxInputCharactersPerWord: Int = 100, normalizer: BertNormalizer? = BertNormalizer(), splitsWords: Bool = true,
    addedTokens: [AddedToken] = [], prefixIDs: [Int32] = [], suffixIDs: [Int32] = [], paddingID: Int32 = 0
  ) throws {
    guard let unk = vocabulary[unknownToken] else {
      throw EncoderModelError.invalidArgument(
        name: "unknownToken", reason: "'\(unknownToken)' is not in the vocabulary")
    }
    guard maxInputCharactersPerWord > 0 else {
      throw EncoderModelError.invalidArgument(name: "maxInputCharactersPerWord", reason: "must be positive")
    }
    var byScalars = [[UInt32]: Int32](minimumCapacity: vocabulary.count)
    var byID = [Int32: String](minimumCapacity: vocabulary.count)
    var limit = 0
    for (token, id) in vocabulary {
      guard id >= 0 else {
        throw EncoderModelError.invalidArgument(name: "vocabulary", reason: "'\(token)' has a negative id")
      }
      byScalars[token.unicodeScalars.map(\.value)] = id
      byID[id] = token
      limit = max(limit, Int(id) + 1)
    }
    for t in addedTokens {
      guard t.id >= 0 else {
        throw EncoderModelError.invalidArgument(name: "addedTokens", reason: "'\(t.content)' has a negative id")
      }
      byID[t.id] = t.content
      limit = max(limit, Int(t.id) + 1)
    }
    for id in prefixIDs + suffixIDs + [paddingID] where id < 0 {
      throw EncoderModelError.invalidArgument(name: "special ids", reason: "\(id) is negative")
    }
    limit = max(limit, Int((prefixIDs + suffixIDs + [paddingID]).max() ?? 0) + 1)
    wordPiece = WordPiece(
      vocabulary: byScalars, unknownID: unk, prefix: continuingPrefix.unicodeScalars.map(\.value),
      maxInputCharactersPerWord: maxInputCharactersPerWord)
    self.normalizer = normalizer
    self.splitsWords = splitsWords
    self.addedTokens = addedTokens
    self.prefixIDs = prefixIDs
    self.suffixIDs = suffixIDs
    self.paddingID = paddingID
    self.idLimit = limit
    rawMatcher = AddedTokenMatcher(addedTokens.filter { !$0.normalized })
    normalizedMatcher = AddedTokenMatcher(addedTokens.filter { $0.normalized })
    tokensByID = byID
  }

  /// The ids of `text` without special tokens and without truncation.
  public func tokenIDs(_ text: String) -> [Int32] {
    let x = text.unicodeScalars.map(\.value)
    var ids = [Int32]()
    ids.reserveCapacity(x.count / 3 + 4)
    for piece in rawMatcher.split(x) {
      switch piece {
      case .token(let id): ids.append(id)
      case .text(let range):
        let normalized = normalizer.map { $0.normalize(Array(x[range])) } ?? Array(x[range])
        for inner in normalizedMatcher.split(normalized) {
          switch inner {
          case .token(let id): ids.append(id)
          case .text(let r):
            let words =
              splitsWords
              ? BertPreTokenizer.words(Array(normalized[r])).map {
                $0.lowerBound + r.lowerBound..<$0.upperBound + r.lowerBound
              } : [r]
            for w in words { wordPiece.append(normalized[w], to: &ids) }
          }
        }
      }
    }
    return ids
  }

  /// The ids the model sees for `text`: the prefix ids, the text's ids cut to fit, the suffix ids.
  ///
  /// - Parameters:
  ///   - text: the text.
  ///   - maxLength: the most ids in all (sentence-transformers' `max_seq_length`); `nil` keeps
  ///     every id. A limit below the special tokens' count keeps them alone.
  public func encode(_ text: String, maxLength: Int? = nil) -> [Int32] {
    var ids = tokenIDs(text)
    if let maxLength {
      let room = max(0, maxLength - prefixIDs.count - suffixIDs.count)
      if ids.count > room { ids.removeSubrange(room...) }
    }
    return prefixIDs + ids + suffixIDs
  }

  /// The token text of `id` (the vocabulary entry or added token), or `nil` for an unused id.
  public func token(for id: Int32) -> String? { tokensByID[id] }
}
