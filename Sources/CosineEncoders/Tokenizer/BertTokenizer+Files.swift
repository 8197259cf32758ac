import Foundation

extension BertTokenizer {
  /// The largest tokenizer file read (`tokenizer.json`, `vocab.txt`): larger files are refused.
  public static let maximumFileBytes = 256 << 20

  /// Loads the tokenizer of a model directory.
  ///
  /// `tokenizer.json` (the `tokenizers` format: a `WordPiece` model, a `BertNormalizer` or none,
  /// a `BertPreTokenizer` or none, a `TemplateProcessing` or `BertProcessing` post-processor, the
  /// added tokens) is read when present. Otherwise `vocab.txt` (one entry per line, the line
  /// number its id) with `tokenizer_config.json` (`do_lower_case`, `strip_accents`,
  /// `tokenize_chinese_chars`, the special tokens), as `transformers` converts a `BertTokenizer`.
  /// The truncation and padding that `tokenizer.json` may carry are not used: the encoder's
  /// `max_seq_length` decides, as in sentence-transformers.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file and field: no
  ///   tokenizer file, a file over ``maximumFileBytes``, malformed JSON, a model other than
  ///   WordPiece, a normalizer or pre-tokenizer other than BERT's, an unknown token missing from
  ///   the vocabulary.
  public init(contentsOf directory: URL) throws {
    let json = directory.appendingPathComponent("tokenizer.json")
    if FileManager.default.fileExists(atPath: json.path) {
      try self.init(tokenizerJSON: json)
    } else {
      try self.init(vocabularyDirectory: directory)
    }
  }

  init(tokenizerJSON url: URL) throws {
    let fail = { (reason: String) in EncoderModelError.invalidFile(path: url.path, reason: reason) }
    let root = try ModelFile.jsonObject(url, limit: Self.maximumFileBytes)
    guard let model = root["model"] as? [String: Any] else { throw fail("field 'model' is missing") }
    guard (model["type"] as? String) == "WordPiece" else {
      throw fail(
        "field 'model.type' is \(String(describing: model["type"] ?? "missing")), not WordPiece (a BERT-family tokenizer)"
      )
    }
    guard let vocabObject = model["vocab"] as? [String: Any] else { throw fail("field 'model.vocab' is not an object") }
    var vocabulary = [String: Int32](minimumCapacity: vocabObject.count)
    for (token, value) in vocabObject {
      guard let id = Self.int32(value), id >= 0 else {
        throw fail("field 'model.vocab' gives '\(token)' an id that is not a non-negative integer")
      }
      vocabulary[token] = id
    }
    let unk = (model["unk_token"] as? String) ?? "[UNK]"
    guard vocabulary[unk] != nil else { throw fail("field 'model.unk_token' '\(unk)' is not in the vocabulary") }
    let prefix = (model["continuing_subword_prefix"] as? String) ?? "##"
    var maxChars = 100
    if let v = model["max_input_chars_per_word"] {
      guard let n = Self.int32(v), n > 0 else {
        throw fail("field 'model.max_input_chars_per_word' is not a positive integer")
      }
      maxChars = Int(n)
    }
    var normalizer: BertNormalizer? = nil
    if let n = root["normalizer"], !(n is NSNull) {
      guard let n = n as? [String: Any], (n["type"] as? String) == "BertNormalizer" else {
        throw fail("field 'normalizer.type' is not BertNormalizer (other normalizers are not supported)")
      }
      let lower = (n["lowercase"] as? Bool) ?? true
      normalizer = BertNormalizer(
        cleanText: (n["clean_text"] as? Bool) ?? true,
        handleChineseCharacters: (n["handle_chinese_chars"] as? Bool) ?? true,
        stripAccents: n["strip_accents"] as? Bool, lowercase: lower)
    }
    var splits = false
    if let p = root["pre_tokenizer"], !(p is NSNull) {
      guard let p = p as? [String: Any], (p["type"] as? String) == "BertPreTokenizer" else {
        throw fail("field 'pre_tokenizer.type' is not BertPreTokenizer (other pre-tokenizers are not supported)")
      }
      splits = true
    }
    var added = [AddedToken]()
    if let list = root["added_tokens"], !(list is NSNull) {
      guard let list = list as? [[String: Any]] else { throw fail("field 'added_tokens' is not a list of objects") }
      for t in list {
        guard let content = t["content"] as? String, let id = t["id"].flatMap(Self.int32), id >= 0 else {
          throw fail("field 'added_tokens' has an entry without 'content' and a non-negative 'id'")
        }
        added.append(
          AddedToken(
            content: content, id: id, normalized: (t["normalized"] as? Bool) ?? false,
            leftStrip: (t["lstrip"] as? Bool) ?? false,
            rightStrip: (t["rstrip"] as? Bool) ?? false, singleWord: (t["single_word"] as? Bool) ?? false))
      }
    }
    var prefixIDs = [Int32]()
    var suffixIDs = [Int32]()
    if let post = root["post_processor"], !(post is NSNull) {
      guard let post = post as? [String: Any] else { throw fail("field 'post_processor' is not an object") }
      switch post["type"] as? String {
      case "TemplateProcessing":
        guard let single = post["single"] as? [[String: Any]] else {
          throw fail("field 'post_processor.single' is not a list")
        }
        let specials = post["special_tokens"] as? [String: Any] ?? [:]
        var sawSequence = false
        for item in single {
          if item["Sequence"] != nil {
            sawSequence = true
            continue
          }
          guard let special = item["SpecialToken"] as? [String: Any], let name = special["id"] as? String,
            let entry = specials[name] as? [String: Any], let ids = entry["ids"] as? [Any]
          else {
            throw fail("field 'post_processor.single' names a special token that 'special_tokens' does not define")
          }
          let values = try ids.map { v -> Int32 in
            guard let id = Self.int32(v), id >= 0 else {
              throw fail("field 'post_processor.special_tokens.\(name).ids' is not a list of ids")
            }
            return id
          }
          if sawSequence { suffixIDs += values } else { prefixIDs += values }
        }
      case "BertProcessing", "RobertaProcessing":
        guard let cls = post["cls"] as? [Any], cls.count == 2, let c = Self.int32(cls[1]),
          let sep = post["sep"] as? [Any], sep.count == 2, let s = Self.int32(sep[1])
        else { throw fail("fields 'post_processor.cls' and 'post_processor.sep' must be [token, id] pairs") }
        prefixIDs = [c]
        suffixIDs = [s]
      default:
        throw fail("field 'post_processor.type' is not TemplateProcessing or BertProcessing")
      }
    }
    var padding: Int32 = vocabulary["[PAD]"] ?? 0
    if let pad = root["padding"] as? [String: Any], let id = pad["pad_id"].flatMap(Self.int32), id >= 0 { padding = id }
    do {
      try self.init(
        vocabulary: vocabulary, unknownToken: unk, continuingPrefix: prefix, maxInputCharactersPerWord: maxChars,
        normalizer: normalizer, splitsWords: splits, addedTokens: added, prefixIDs: prefixIDs, suffixIDs: suffixIDs,
        paddingID: padding)
    } catch let error as EncoderModelError {
      throw fail(error.description)
    }
  }

  init(vocabularyDirectory directory: URL) throws {
    let url = directory.appendingPathComponent("vocab.txt")
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw EncoderModelError.invalidFile(
        path: directory.path, reason: "has neither tokenizer.json nor vocab.txt: the tokenizer is missing")
    }
    let data = try ModelFile.bytes(url, limit: Self.maximumFileBytes)
    guard let text = String(validating: data, as: UTF8.self) else {
      throw EncoderModelError.invalidFile(path: url.path, reason: "is not UTF-8")
    }
    var vocabulary = [String: Int32]()
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    for (i, line) in lines.enumerated() {
      let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
      vocabulary[token] = Int32(i)
    }
    var config: [String: Any] = [:]
    let configURL = directory.appendingPathComponent("tokenizer_config.json")
    if FileManager.default.fileExists(atPath: configURL.path) {
      config = try ModelFile.jsonObject(configURL, limit: Self.maximumFileBytes)
    }
    var specialsMap: [String: Any] = [:]
    let specialsURL = directory.appendingPathComponent("special_tokens_map.json")
    if FileManager.default.fileExists(atPath: specialsURL.path) {
      specialsMap = try ModelFile.jsonObject(specialsURL, limit: Self.maximumFileBytes)
    }
    func special(_ key: String, _ fallback: String) -> String {
      for source in [config, specialsMap] {
        if let s = source[key] as? String { return s }
        if let s = (source[key] as? [String: Any])?["content"] as? String { return s }
      }
      return fallback
    }
    let lower = (config["do_lower_case"] as? Bool) ?? true
    let normalizer = BertNormalizer(
      cleanText: true, handleChineseCharacters: (config["tokenize_chinese_chars"] as? Bool) ?? true,
      stripAccents: config["strip_accents"] as? Bool, lowercase: lower)
    var added = [AddedToken]()
    for key in ["pad_token", "unk_token", "cls_token", "sep_token", "mask_token"] {
      let content = special(
        key,
        [
          "pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
          "mask_token": "[MASK]",
        ][key]!)
      if let id = vocabulary[content], !added.contains(where: { $0.content == content }) {
        added.append(AddedToken(content: content, id: id))
      }
    }
    let unk = special("unk_token", "[UNK]")
    guard let cls = vocabulary[special("cls_token", "[CLS]")], let sep = vocabulary[special("sep_token", "[SEP]")]
    else {
      throw EncoderModelError.invalidFile(
        path: url.path, reason: "the vocabulary lacks the classifier or separator token")
    }
    do {
      try self.init(
        vocabulary: vocabulary, unknownToken: unk, normalizer: normalizer, addedTokens: added, prefixIDs: [cls],
        suffixIDs: [sep], paddingID: vocabulary[special("pad_token", "[PAD]")] ?? 0)
    } catch let error as EncoderModelError {
      throw EncoderModelError.invalidFile(path: url.path, reason: error.description)
    }
  }

  static func int32(_ value: Any) -> Int32? {
    guard let n = value as? NSNumber else { return nil }
    let d = n.doubleValue
    guard d == d.rounded(), d >= 0, d <= Double(Int32.max) else { return nil }
    return Int32(d)
  }
}
