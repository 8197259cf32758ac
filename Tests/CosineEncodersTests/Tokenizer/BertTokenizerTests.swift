import CosineEncoders
import Foundation
import Testing

/// The tokenizer against the ids Hugging Face `tokenizers` gives the same texts
/// (`Scripts/make_tokenizer_fixtures.py`): edge cases of every script and seeded random strings
/// over all planes, in each configuration of the normalizer.
@Suite struct BertTokenizerTests {
  struct Case: Decodable {
    let text: String
    let ids: [Int32]
  }

  func cases(_ name: String) throws -> [Case] {
    let url = Fixtures.tokenizerDirectory(name).appendingPathComponent("cases.json")
    return try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
  }

  @Test(arguments: Fixtures.tokenizerNames)
  func idsEqualTheReferenceLibrary(_ name: String) throws {
    let tokenizer = try BertTokenizer(contentsOf: Fixtures.tokenizerDirectory(name))
    let all = try cases(name)
    #expect(all.count > 200)
    var wrong: [String] = []
    for c in all where tokenizer.encode(c.text) != c.ids {
      wrong.append("\(c.text.debugDescription.prefix(60)): \(tokenizer.encode(c.text)) ≠ \(c.ids)")
    }
    #expect(wrong.isEmpty, "\(name): \(wrong.count) of \(all.count) differ: \(wrong.prefix(3))")
  }

  @Test func theConfigurationsReallyDiffer() throws {
    // Each fixture must exercise its own normalizer: the uncased and cased ids differ on
    // capitals, the accent-keeping one on accents.
    let uncased = try BertTokenizer(contentsOf: Fixtures.tokenizerDirectory("uncased"))
    let cased = try BertTokenizer(contentsOf: Fixtures.tokenizerDirectory("cased"))
    let keep = try BertTokenizer(contentsOf: Fixtures.tokenizerDirectory("lowercase-keep-accents"))
    #expect(uncased.encode("Hello") != cased.encode("Hello"))
    #expect(uncased.encode("café") != keep.encode("café"))
    #expect(
      uncased.normalizer
        == BertNormalizer(cleanText: true, handleChineseCharacters: true, stripAccents: true, lowercase: true))
  }

  @Test func normalizerSteps() {
    let n = BertNormalizer()
    #expect(n.normalize("Héllo\u{200B}\u{0} Wörld\t中文") == "hello world  中  文 ")
    #expect(n.normalize("İ") == "i")  // accents go before lowercasing: I + U+0307, then I, then i
    #expect(BertNormalizer(stripAccents: false).normalize("İ") == "i\u{307}")  // the full lowercase mapping
    #expect(n.normalize("한") == "\u{1112}\u{1161}\u{11AB}")  // Hangul decomposes into jamo
    #expect(n.normalize("ΟΔΟΣ") == "οδοσ")  // no final-sigma context
    let cased = BertNormalizer(lowercase: false)
    #expect(cased.stripAccents == false)
    #expect(cased.normalize("Café\u{FFFD}") == "Café")
    let raw = BertNormalizer(cleanText: false, handleChineseCharacters: false, stripAccents: false, lowercase: false)
    #expect(raw.normalize("a\u{0}\t中") == "a\u{0}\t中")
  }

  @Test func addedTokensMatchInTheRawTextOnly() throws {
    let t = try BertTokenizer(contentsOf: Fixtures.tokenizerDirectory("uncased"))
    let sep = try #require(t.suffixIDs.first)
    // "[SEP]" written in the text is the separator; "[sep]" is ordinary text, split at the brackets.
    #expect(t.tokenIDs("a[SEP]b").count == 3)
    #expect(t.tokenIDs("a[SEP]b")[1] == sep)
    #expect(!t.tokenIDs("a[sep]b").contains(sep))
    #expect(t.token(for: sep) == "[SEP]")
  }

  @Test func wordPieceLimitsAndUnknownWords() throws {
    let t = try BertTokenizer(contentsOf: Fixtures.tokenizerDirectory("cased"))
    // 101 scalars: one unknown token; 100: pieces.
    #expect(t.tokenIDs(String(repeating: "a", count: 101)) == [t.unknownID])
    #expect(t.tokenIDs(String(repeating: "a", count: 100)).count == 100)
    // One scalar without an entry makes the whole word unknown, not just its piece.
    #expect(t.tokenIDs("ab\u{1F600}cd") == [t.unknownID])
  }

  @Test func truncationKeepsTheSpecialTokens() throws {
    let t = try BertTokenizer(contentsOf: Fixtures.tokenizerDirectory("uncased"))
    let full = t.encode("a b c d e f")
    #expect(full.count == 8)
    let cut = t.encode("a b c d e f", maxLength: 5)
    #expect(cut == Array(full.prefix(4)) + [full.last!])
    #expect(t.encode("a b", maxLength: 1) == t.prefixIDs + t.suffixIDs)
  }

  @Test func builtFromParts() throws {
    let vocabulary: [String: Int32] = ["[UNK]": 0, "un": 1, "##able": 2, "able": 3, ",": 4]
    let t = try BertTokenizer(vocabulary: vocabulary, prefixIDs: [], suffixIDs: [])
    #expect(t.tokenIDs("Unable, able") == [1, 2, 4, 3])
    #expect(throws: EncoderModelError.self) { try BertTokenizer(vocabulary: ["a": 0]) }
  }
}
