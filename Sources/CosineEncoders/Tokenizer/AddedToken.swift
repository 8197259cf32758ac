/// A token the tokenizer matches in the text before the normalizer and the model see it (the
/// special tokens `[CLS]`, `[SEP]`, `[MASK]`, … and any added vocabulary), as `tokenizers`'
/// added vocabulary does: a text containing `[SEP]` gets that token's id there.
public struct AddedToken: Sendable, Equatable {
  /// The token's text.
  public var content: String
  /// Its id.
  public var id: Int32
  /// Whether it is matched in the normalized text (`true`) or in the raw text (`false`, the
  /// special tokens).
  public var normalized: Bool
  /// Whether it absorbs the whitespace on its left.
  public var leftStrip: Bool
  /// Whether it absorbs the whitespace on its right.
  public var rightStrip: Bool
  /// Whether it only matches as a whole word.
  public var singleWord: Bool

  /// An added token.
  public init(
    content: String, id: Int32, normalized: Bool = false, leftStrip: Bool = false, rightStrip: Bool = false,
    singleWord: Bool = false
  ) {
    self.content = content
    self.id = id
    self.normalized = normalized
    self.leftStrip = leftStrip
    self.rightStrip = rightStrip
    self.singleWord = singleWord
  }
}

/// Splits scalar sequences at the leftmost-longest occurrences of a set of added tokens.
struct AddedTokenMatcher: Sendable {
  /// A piece of the input: plain text, or a matched token.
  enum Piece: Equatable {
    case text(Range<Int>)
    case token(Int32)
  }

  let tokens: [(scalars: [UInt32], token: AddedToken)]
  /// The tokens by their first scalar.
  let byFirst: [UInt32: [Int]]

  init(_ tokens: [AddedToken]) {
    let list = tokens.filter { !$0.content.isEmpty }.map {
      (scalars: $0.content.unicodeScalars.map(\.value), token: $0)
    }
    self.tokens = list
    var byFirst: [UInt32: [Int]] = [:]
    for (i, t) in list.enumerated() { byFirst[t.scalars[0], default: []].append(i) }
    self.byFirst = byFirst
  }

  var isEmpty: Bool { tokens.isEmpty }

  /// The pieces of `x`: the leftmost, then longest, match at each point.
  func split(_ x: [UInt32]) -> [Piece] {
    if tokens.isEmpty { return x.isEmpty ? [] : [.text(0..<x.count)] }
    var pieces = [Piece]()
    var textStart = 0
    var i = 0
    while i < x.count {
      var best: (index: Int, length: Int)? = nil
      if let candidates = byFirst[x[i]] {
        for c in candidates {
          let s = tokens[c].scalars
          guard i + s.count <= x.count, x[i..<(i + s.count)].elementsEqual(s) else { continue }
          if tokens[c].token.singleWord && !isWordBoundary(x, i, i + s.count) { continue }
          if best == nil || s.count > best!.length { best = (c, s.count) }
        }
      }
      guard let match = best else {
        i += 1
        continue
      }
      let token = tokens[match.index].token
      var start = i
      var end = i + match.length
      if token.leftStrip { while start > textStart && isSpace(x[start - 1]) { start -= 1 } }
      if token.rightStrip { while end < x.count && isSpace(x[end]) { end += 1 } }
      if textStart < start { pieces.append(.text(textStart..<start)) }
      pieces.append(.token(token.id))
      textStart = end
      i = end
    }
    if textStart < x.count { pieces.append(.text(textStart..<x.count)) }
    return pieces
  }

  private func isSpace(_ s: UInt32) -> Bool {
    CharacterClasses.flags(s).contains(.splitWhitespace)
  }

  private func isWordBoundary(_ x: [UInt32], _ start: Int, _ end: Int) -> Bool {
    func isWord(_ s: UInt32) -> Bool {
      guard let u = Unicode.Scalar(s) else { return false }
      return u.properties.isAlphabetic || u.properties.numericType != nil || s == 0x5F
    }
    return (start == 0 || !isWord(x[start - 1])) && (end == x.count || !isWord(x[end]))
  }
}
