/// An element type of a `.npy` file that the reader supports, parsed from the header's
/// `'descr'` string (a NumPy array-protocol type string such as `'<f8'`).
package struct NPYDType: Equatable, Sendable {
  /// The kind and width of one element.
  package enum Kind: Equatable, Sendable {
    case float16, float32, float64
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case bool

    /// Bytes per element.
    package var size: Int {
      switch self {
      case .int8, .uint8, .bool: 1
      case .float16, .int16, .uint16: 2
      case .float32, .int32, .uint32: 4
      case .float64, .int64, .uint64: 8
      }
    }

    /// The NumPy name, e.g. `"uint16"`.
    package var numpyName: String {
      switch self {
      case .float16: "float16"
      case .float32: "float32"
      case .float64: "float64"
      case .int8: "int8"
      case .uint8: "uint8"
      case .int16: "int16"
      case .uint16: "uint16"
      case .int32: "int32"
      case .uint32: "uint32"
      case .int64: "int64"
      case .uint64: "uint64"
      case .bool: "bool"
      }
    }

    /// Whether the elements are stored as is (float types) rather than converted to `Double`.
    package var isFloatingPoint: Bool {
      switch self {
      case .float16, .float32, .float64: true
      default: false
      }
    }
  }

  /// The element kind.
  package let kind: Kind
  /// Whether multi-byte elements are stored most significant byte first.
  /// Already resolved for `=` (native) and `|` (not applicable); always `false` for 1-byte kinds.
  package let bigEndian: Bool
  /// The descr string exactly as it appeared in the header.
  package let descr: String

  /// Bytes per element.
  package var size: Int { kind.size }

  /// Whether this machine stores integers most significant byte first.
  package static let hostIsBigEndian: Bool = 1.bigEndian == 1

  /// The human-readable list of supported types used in error messages.
  package static let supportedList =
    "supported: float16, float32, float64 ('<f2' '<f4' '<f8' or big-endian '>'), "
    + "and integers i1 u1 i2 u2 i4 u4 i8 u8 or bool '|b1' (read as float64)"

  /// Parses a descr string.
  ///
  /// Accepted: an optional byte-order character (`<` little, `>` big, `=` native, `|` not
  /// applicable — only for one-byte types), a kind character (`f`, `i`, `u`, `b`) and the
  /// element size in bytes. Everything else is rejected with a message naming the type.
  ///
  /// - Throws: ``NPYProblem`` "unsupported dtype …" naming the type and listing the supported ones.
  package init(descr: String) throws {
    var rest = Substring(descr)
    var order: Character? = nil
    if let first = rest.first, "<>=|".contains(first) {
      order = first
      rest = rest.dropFirst()
    }
    guard let kindChar = rest.first else {
      throw NPYProblem("unsupported dtype '\(descr)': not a NumPy type string; \(NPYDType.supportedList)")
    }
    let sizeText = rest.dropFirst()
    let size: Int? =
      sizeText.isEmpty || sizeText.count > 3 || !sizeText.allSatisfy({ $0.isASCII && $0.isNumber })
      ? nil : Int(sizeText)

    let kind: Kind?
    switch (kindChar, size) {
    case ("f", 2): kind = .float16
    case ("f", 4): kind = .float32
    case ("f", 8): kind = .float64
    case ("i", 1): kind = .int8
    case ("u", 1): kind = .uint8
    case ("i", 2): kind = .int16
    case ("u", 2): kind = .uint16
    case ("i", 4): kind = .int32
    case ("u", 4): kind = .uint32
    case ("i", 8): kind = .int64
    case ("u", 8): kind = .uint64
    case ("b", 1): kind = .bool
    default: kind = nil
    }
    guard let kind else {
      throw NPYProblem(
        "unsupported dtype '\(descr)'\(NPYDType.describeUnsupported(kindChar, size)); \(NPYDType.supportedList)")
    }
    if kind.size > 1 && order == "|" {
      throw NPYProblem(
        "unsupported dtype '\(descr)': byte order '|' (not applicable) is only meaningful for one-byte types, "
          + "use '<' or '>' for \(kind.numpyName)")
    }
    self.kind = kind
    self.descr = descr
    switch order {
    case "<": bigEndian = false
    case ">": bigEndian = kind.size > 1
    default: bigEndian = kind.size > 1 && NPYDType.hostIsBigEndian
    }
  }

  /// `" (complex128)"` etc.: what an unsupported type code means, for the error message.
  private static func describeUnsupported(_ kind: Character, _ size: Int?) -> String {
    switch kind {
    case "f": return size.map { $0 >= 10 ? " (extended precision float\($0 * 8))" : " (\($0)-byte float)" } ?? ""
    case "c": return " (complex\(size.map { String($0 * 8) } ?? ""))"
    case "i": return " (\(size.map { "\($0)-byte" } ?? "unsized") signed integer)"
    case "u": return " (\(size.map { "\($0)-byte" } ?? "unsized") unsigned integer)"
    case "b": return " (\(size.map { "\($0)-byte" } ?? "unsized") bool)"
    case "O": return " (Python object)"
    case "S", "a": return " (byte string)"
    case "U": return " (unicode string)"
    case "V": return " (void/structured)"
    case "M": return " (datetime64)"
    case "m": return " (timedelta64)"
    case "?": return " (bool; write it as '|b1')"
    default: return ""
    }
  }
}
