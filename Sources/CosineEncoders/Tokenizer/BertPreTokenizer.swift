/// BERT's pre-tokenizer (`BertPreTokenizer`): splits normalized text into words at whitespace
/// (dropped) and around each punctuation character (kept as a word of its own). Punctuation is
/// ASCII punctuation and every Unicode punctuation category (`P*`), whitespace the Unicode
/// `White_Space` property, both as the `tokenizers` library's tables define them.
enum BertPreTokenizer {
  /// The words of `x`, as ranges of it.
  static func words(_ x: [UInt32]) -> [Range<Int>] {
    var out = [Range<Int>]()
    var start = 0
    for i in x.indices {
      let f = CharacterClasses.flags(x[i])
      if f.contains(.splitWhitespace) {
        if start < i { out.append(start..<i) }
        start = i + 1
      } else if f.contains(.punctuation) {
        if start < i { out.append(start..<i) }
        out.append(i..<(i + 1))
        start = i + 1
      }
    }
    if start < x.count { out.append(start..<x.count) }
    return out
  }
}
