import CosineEncoders
import Foundation
import Testing

/// Tokenizer files that are not what they claim are refused with one line naming file and field.
@Suite struct TokenizerFileTests {
  /// A directory holding `tokenizer.json` as `edit` leaves the `uncased` fixture's.
  func edited(_ edit: (inout [String: Any]) -> Void) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let source = Fixtures.tokenizerDirectory("uncased").appendingPathComponent("tokenizer.json")
    var json = try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as! [String: Any]
    edit(&json)
    try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("tokenizer.json"))
    return dir
  }

  func failure(_ dir: URL) -> String? {
    defer { if dir.lastPathComponent.hasPrefix("tokenizer-") { try? FileManager.default.removeItem(at: dir) } }
    do {
      _ = try BertTokenizer(contentsOf: dir)
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test func unsupportedPartsAreNamed() throws {
    let bpe = failure(
      try edited { j in
        var m = j["model"] as! [String: Any]; m["type"] = "BPE"; j["model"] = m
      })
    #expect(bpe?.contains("tokenizer.json: field 'model.type'") == true, "\(bpe ?? "loaded")")
    let norm = failure(try edited { $0["normalizer"] = ["type": "NFKC"] })
    #expect(norm?.contains("'normalizer.type'") == true, "\(norm ?? "loaded")")
    let pre = failure(try edited { $0["pre_tokenizer"] = ["type": "ByteLevel"] })
    #expect(pre?.contains("'pre_tokenizer.type'") == true, "\(pre ?? "loaded")")
    let unk = failure(
      try edited { j in
        var m = j["model"] as! [String: Any]; m["unk_token"] = "<unk>"; j["model"] = m
      })
    #expect(unk?.contains("'model.unk_token'") == true, "\(unk ?? "loaded")")
    let negative = failure(
      try edited { j in
        var m = j["model"] as! [String: Any]
        var v = m["vocab"] as! [String: Any]
        v["zz"] = -3
        m["vocab"] = v
        j["model"] = m
      })
    #expect(negative?.contains("'model.vocab'") == true, "\(negative ?? "loaded")")
    let post = failure(
      try edited { $0["post_processor"] = ["type": "TemplateProcessing", "single": [["SpecialToken": ["id": "[X]"]]]] })
    #expect(post?.contains("'post_processor.single'") == true, "\(post ?? "loaded")")
  }

  @Test func truncatedAndMissingFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let missing = failure(dir)
    #expect(missing?.contains("neither tokenizer.json nor vocab.txt") == true, "\(missing ?? "loaded")")
    let cut = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: cut, withIntermediateDirectories: true)
    let whole = try Data(contentsOf: Fixtures.tokenizerDirectory("uncased").appendingPathComponent("tokenizer.json"))
    try whole.prefix(whole.count / 2).write(to: cut.appendingPathComponent("tokenizer.json"))
    let truncated = failure(cut)
    #expect(truncated?.hasSuffix("tokenizer.json: not a JSON object") == true, "\(truncated ?? "loaded")")
  }

  @Test func aTokenizerBeyondTheModelsVocabularyIsRefused() throws {
    // The `minilm` model has 128 ids; the `uncased` tokenizer has more.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: Fixtures.directory("minilm"), to: dir)
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.removeItem(at: dir.appendingPathComponent("tokenizer.json"))
    try FileManager.default.copyItem(
      at: Fixtures.tokenizerDirectory("uncased").appendingPathComponent("tokenizer.json"),
      to: dir.appendingPathComponent("tokenizer.json"))
    #expect {
      _ = try SentenceEncoder(contentsOf: dir)
    } throws: { error in
      "\(error)".contains("tokenizer.json: has ids up to") && "\(error)".contains("vocab_size is 128")
    }
  }
}
