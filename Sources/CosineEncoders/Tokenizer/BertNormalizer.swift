/// BERT's text normalizer, as Hugging Face `tokenizers` runs it (`BertNormalizer`), in this order:
///
/// 1. **clean text**: deletes U+0000, U+FFFD and control and format characters (tab, newline and
///    carriage return aside) and turns every whitespace character into a space;
/// 2. **Chinese characters**: surrounds each CJK ideograph with spaces, so each is a word;
/// 3. **strip accents**: canonical decomposition (NFD) and deletion of the nonspacing marks
///    (so `é` becomes `e` and a Hangul syllable its jamo);
/// 4. **lowercase**: each scalar's full lowercase mapping (`İ` becomes `i` + U+0307), without
///    context (a final `Σ` becomes `σ`).
///
/// The character classes are those of the `tokenizers` library's tables, not of the Swift
/// runtime's Unicode version, so every platform gives the same result.
public struct BertNormalizer: Sendable, Equatable {
  /// Whether to delete controls and map whitespace to spaces.
  public var cleanText: Bool
  /// Whether to surround CJK ideographs with spaces.
  public var handleChineseCharacters: Bool
  /// Whether to decompose and drop nonspacing marks.
  public var stripAccents: Bool
  /// Whether to lowercase.
  public var lowercase: Bool

  /// A normalizer; `stripAccents: nil` follows `lowercase`, as in `tokenizers` and `transformers`.
  public init(
    cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true
  ) {
    self.cleanText = cleanText
    self.handleChineseCharacters = handleChineseCharacters
    self.stripAccents = stripAccents ?? lowercase
    self.lowercase = lowercase
  }

  /// The normalized form of `text`.
  public func normalize(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for s in normalize(text.unicodeScalars.map(\.value)) { out.append(Unicode.Scalar(s)!) }
    return String(out)
  }

  /// The normalized scalars of `input`.
  func normalize(_ input: [UInt32]) -> [UInt32] {
    var x = [UInt32]()
    x.reserveCapacity(input.count + 8)
    for s in input {
      let f = CharacterClasses.flags(s)
      if cleanText {
        if f.contains(.removed) { continue }
        if f.contains(.cleanedToSpace) {
          x.append(0x20)
          continue
        }
      }
      if handleChineseCharacters && f.contains(.chinese) {
        x.append(0x20)
        x.append(s)
        x.append(0x20)
      } else {
        x.append(s)
      }
    }
    if stripAccents { x = Self.stripAccents(x) }
    if lowercase {
      var lowered = [UInt32]()
      lowered.reserveCapacity(x.count)
      for s in x {
        if s < 128 {
          lowered.append(s >= 0x41 && s <= 0x5A ? s + 32 : s)
        } else if let l = CharacterClasses.lowercase[s] {
          lowered.append(contentsOf: l)
        } else {
          lowered.append(s)
        }
      }
      x = lowered
    }
    return x
  }

  /// NFD of the whole sequence (decomposition, then the canonical ordering of each run of
  /// non-starters), then deletion of the nonspacing marks.
  static func stripAccents(_ x: [UInt32]) -> [UInt32] {
    if x.allSatisfy({ $0 < 0xC0 }) { return x }
    var d = [UInt32]()
    d.reserveCapacity(x.count + 8)
    for s in x { CharacterClasses.appendDecomposition(of: s, to: &d) }
    // Canonical ordering: a stable sort by combining class within each run of non-starters.
    var i = 0
    while i < d.count {
      if CharacterClasses.combiningClass(d[i]) == 0 {
        i += 1
        continue
      }
      var j = i
      while j < d.count && CharacterClasses.combiningClass(d[j]) != 0 { j += 1 }
      if j - i > 1 {
        let run = d[i..<j].enumerated().sorted {
          let a = CharacterClasses.combiningClass($0.element)
          let b = CharacterClasses.combiningClass($1.element)
          return a != b ? a < b : $0.offset < $1.offset
        }
        for (k, e) in run.enumerated() { d[i + k] = e.element }
      }
      i = j
    }
    return d.filter { !CharacterClasses.flags($0).contains(.mark) }
  }
}
