/// Lookups into ``UnicodeTables``: the class of a scalar for each step of BERT's normalizer and
/// pre-tokenizer, with the ASCII range answered from a 128-entry table.
enum CharacterClasses {
  /// One bit per class.
  struct Flags: OptionSet {
    let rawValue: UInt8
    static let removed = Flags(rawValue: 1)
    static let cleanedToSpace = Flags(rawValue: 2)
    static let chinese = Flags(rawValue: 4)
    static let mark = Flags(rawValue: 8)
    static let splitWhitespace = Flags(rawValue: 16)
    static let punctuation = Flags(rawValue: 32)
  }

  /// The classes of the ASCII scalars.
  static let ascii: [Flags] = (0..<128).map { classify(UInt32($0)) }

  /// Decompositions by scalar.
  static let decompositions: [UInt32: [UInt32]] = mapping(UnicodeTables.decompositions)
  /// Lowercase mappings by scalar.
  static let lowercase: [UInt32: [UInt32]] = mapping(UnicodeTables.lowercase)

  /// The classes of `scalar`.
  @inline(__always)
  static func flags(_ scalar: UInt32) -> Flags {
    scalar < 128 ? ascii[Int(scalar)] : classify(scalar)
  }

  static func classify(_ s: UInt32) -> Flags {
    var f: Flags = []
    if contains(UnicodeTables.removedByCleaning, s) { f.insert(.removed) }
    if contains(UnicodeTables.whitespaceForCleaning, s) { f.insert(.cleanedToSpace) }
    if contains(UnicodeTables.chinese, s) { f.insert(.chinese) }
    if contains(UnicodeTables.nonspacingMarks, s) { f.insert(.mark) }
    if contains(UnicodeTables.splitWhitespace, s) { f.insert(.splitWhitespace) }
    if contains(UnicodeTables.punctuation, s) { f.insert(.punctuation) }
    return f
  }

  /// Whether `s` lies in one of the sorted inclusive `[first, last]` pairs of `table`.
  static func contains(_ table: [UInt32], _ s: UInt32) -> Bool {
    var lo = 0
    var hi = table.count / 2
    while lo < hi {
      let mid = (lo + hi) / 2
      if table[2 * mid + 1] < s { lo = mid + 1 } else { hi = mid }
    }
    return lo < table.count / 2 && table[2 * lo] <= s
  }

  static func mapping(_ flat: [UInt32]) -> [UInt32: [UInt32]] {
    var out: [UInt32: [UInt32]] = [:]
    var i = 0
    while i < flat.count {
      let n = Int(flat[i + 1])
      out[flat[i]] = Array(flat[(i + 2)..<(i + 2 + n)])
      i += 2 + n
    }
    return out
  }

  /// The canonical decomposition of `s` (NFD), appended to `out`.
  @inline(__always)
  static func appendDecomposition(of s: UInt32, to out: inout [UInt32]) {
    if s < 0xC0 {
      out.append(s)
    } else if s >= 0xAC00 && s <= 0xD7A3 {
      // Hangul syllables decompose algorithmically into two or three jamo.
      let index = s - 0xAC00
      out.append(0x1100 + index / 588)
      out.append(0x1161 + (index % 588) / 28)
      if index % 28 != 0 { out.append(0x11A7 + index % 28) }
    } else if let d = decompositions[s] {
      out.append(contentsOf: d)
    } else {
      out.append(s)
    }
  }

  /// The canonical combining class of `s` (0 for starters).
  @inline(__always)
  static func combiningClass(_ s: UInt32) -> UInt8 {
    if s < 0x300 { return 0 }
    guard let scalar = Unicode.Scalar(s) else { return 0 }
    return scalar.properties.canonicalCombiningClass.rawValue
  }
}
