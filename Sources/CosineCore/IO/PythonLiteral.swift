/// A value of the small subset of Python literal syntax that can appear in a `.npy` header.
///
/// The parser exists so the header can be checked strictly (as `ast.literal_eval` would
/// read it) without ever evaluating anything: only strings, integers, `True`/`False`/`None`,
/// tuples, lists and dicts are recognised, nesting is limited, and every integer must fit in `Int`.
package indirect enum PythonLiteral: Equatable {
  case string(String)
  case integer(Int)
  case boolean(Bool)
  case none
  case tuple([PythonLiteral])
  case list([PythonLiteral])
  case dict([Entry])

  /// One `key: value` pair of a dict literal, in source order (duplicates are kept so the
  /// caller can reject them).
  package struct Entry: Equatable {
    package let key: PythonLiteral
    package let value: PythonLiteral
  }

  /// A short name of the value's type for error messages: `"a list"`, `"the integer 3"`, …
  package var kindDescription: String {
    switch self {
    case .string(let s): "the string '\(PythonLiteral.printable(s))'"
    case .integer(let i): "the integer \(i)"
    case .boolean(let b): b ? "True" : "False"
    case .none: "None"
    case .tuple: "a tuple"
    case .list: "a list"
    case .dict: "a dict"
    }
  }

  /// `s` with control and non-ASCII characters escaped, and cut to 40 characters, for messages.
  package static func printable(_ s: String) -> String {
    var out = ""
    for scalar in s.unicodeScalars.prefix(40) {
      if scalar.value >= 0x20 && scalar.value < 0x7F {
        out.unicodeScalars.append(scalar)
      } else {
        out += scalar.value <= 0xFF ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + hex(scalar.value, width: 1) + "}"
      }
    }
    return s.unicodeScalars.count > 40 ? out + "…" : out
  }

  package static func hex(_ v: UInt32, width: Int) -> String {
    let digits = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

/// A strict recursive-descent parser for ``PythonLiteral`` over the bytes of a header.
///
/// Errors are ``NPYProblem``s of the form `"malformed header: <what> at offset <n>"`,
/// the offset counting from the first byte of the header text.
package struct PythonLiteralParser {
  /// Containers may nest at most this deep; a `.npy` header needs 2 (`{'shape': (…)}`).
  package static let maxDepth = 8

  private let bytes: UnsafeRawBufferPointer
  private var pos = 0
  /// Accept Python 2 long integers such as `3L`, which NumPy itself still reads in 1.0 and 2.0 headers.
  private let allowLongSuffix: Bool

  /// Parses `bytes` as exactly one literal surrounded by optional whitespace.
  ///
  /// - Throws: ``NPYProblem`` on any syntax error, an integer that does not fit in `Int`,
  ///   nesting deeper than ``maxDepth``, or text after the literal.
  package static func parse(_ bytes: UnsafeRawBufferPointer, allowLongSuffix: Bool) throws -> PythonLiteral {
    var parser = PythonLiteralParser(bytes: bytes, allowLongSuffix: allowLongSuffix)
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    guard parser.pos == bytes.count else {
      throw parser.problem("unexpected \(parser.describeCurrent()) after the end of the dict")
    }
    return value
  }

  private init(bytes: UnsafeRawBufferPointer, allowLongSuffix: Bool) {
    self.bytes = bytes
    self.allowLongSuffix = allowLongSuffix
  }

  private func problem(_ what: String) -> NPYProblem {
    NPYProblem("malformed header: \(what) at offset \(pos)")
  }

  private var current: UInt8? { pos < bytes.count ? bytes[pos] : nil }

  private func describeCurrent() -> String {
    guard let c = current else { return "end of header" }
    if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
    return "byte 0x" + PythonLiteral.hex(UInt32(c), width: 2)
  }

  private static func isWhitespace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C
  }

  private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

  private static func isIdentifierByte(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || isDigit(c) || c == 0x5F || c >= 0x80
  }

  private mutating func skipWhitespace() {
    while let c = current, PythonLiteralParser.isWhitespace(c) { pos += 1 }
  }

  private mutating func parseValue(depth: Int) throws -> PythonLiteral {
    skipWhitespace()
    guard let c = current else { throw problem("unexpected end of header, expected a value") }
    switch c {
    case UInt8(ascii: "{"):
      return try parseDict(depth: depth + 1)
    case UInt8(ascii: "("):
      return try parseTupleOrParenthesized(depth: depth + 1)
    case UInt8(ascii: "["):
      return .list(try parseSequence(close: UInt8(ascii: "]"), depth: depth + 1).items)
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      return .string(try parseString())
    case UInt8(ascii: "-"):
      pos += 1
      skipWhitespace()
      guard let d = current, PythonLiteralParser.isDigit(d) else {
        throw problem("expected digits after '-'")
      }
      let magnitude = try parseInteger()
      return .integer(-magnitude)
    case _ where PythonLiteralParser.isDigit(c):
      return .integer(try parseInteger())
    case _ where PythonLiteralParser.isIdentifierByte(c):
      let start = pos
      while let d = current, PythonLiteralParser.isIdentifierByte(d) { pos += 1 }
      let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
      switch name {
      case "True": return .boolean(true)
      case "False": return .boolean(false)
      case "None": return .none
      default:
        pos = start
        throw problem("unexpected name '\(PythonLiteral.printable(name))' (only True, False and None are allowed)")
      }
    default:
      throw problem("unexpected \(describeCurrent()), expected a value")
    }
  }

  private func checkDepth(_ depth: Int) throws {
    guard depth <= PythonLiteralParser.maxDepth else {
      throw problem("containers nested more than \(PythonLiteralParser.maxDepth) deep")
    }
  }

  /// A decimal integer without sign, leading zeros or underscores; optional `L` suffix.
  private mutating func parseInteger() throws -> Int {
    let start = pos
    var value = 0
    var overflow = false
    while let c = current, PythonLiteralParser.isDigit(c) {
      if !overflow {
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int(c - 0x30))
        overflow = o1 || o2
        value = a
      }
      pos += 1
    }
    let digits = pos - start
    if digits > 1 && bytes[start] == UInt8(ascii: "0") {
      pos = start
      throw problem("integer with a leading zero")
    }
    if overflow {
      let shown = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<min(pos, start + 40)]), as: UTF8.self)
      pos = start
      throw problem(
        "integer \(shown)\(digits > 40 ? "…" : "") (\(digits) digits) does not fit in a 64-bit signed integer")
    }
    if allowLongSuffix, let c = current, c == UInt8(ascii: "L") || c == UInt8(ascii: "l") {
      pos += 1
    }
    if let c = current, PythonLiteralParser.isIdentifierByte(c) || c == UInt8(ascii: ".") {
      throw problem("unexpected \(describeCurrent()) in an integer (only plain decimal integers are allowed)")
    }
    return value
  }

  /// A single- or double-quoted string on one line, without escapes or prefixes.
  private mutating func parseString() throws -> String {
    guard let quote = current else { throw problem("expected a string") }
    let open = pos
    pos += 1
    let start = pos
    while let c = current, c != quote {
      if c == UInt8(ascii: "\\") { throw problem("backslash escapes are not supported in header strings") }
      if c == 0x0A || c == 0x0D { throw problem("line break inside a string") }
      pos += 1
    }
    guard current == quote else {
      pos = open
      throw problem("unterminated string")
    }
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    pos += 1
    return text
  }

  /// Comma-separated values up to `close`, with an optional trailing comma.
  private mutating func parseSequence(close: UInt8, depth: Int) throws -> (items: [PythonLiteral], sawComma: Bool) {
    try checkDepth(depth)
    pos += 1  // the opening bracket
    var items: [PythonLiteral] = []
    var sawComma = false
    while true {
      skipWhitespace()
      if current == close {
        pos += 1
        return (items, sawComma)
      }
      items.append(try parseValue(depth: depth))
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        pos += 1
        sawComma = true
      } else if current == close {
        pos += 1
        return (items, sawComma)
      } else {
        throw problem("expected ',' or '\(Character(Unicode.Scalar(close)))' but found \(describeCurrent())")
      }
    }
  }

  /// `()` and `(a,)` and `(a, b)` are tuples; `(a)` is just `a`.
  private mutating func parseTupleOrParenthesized(depth: Int) throws -> PythonLiteral {
    let (items, sawComma) = try parseSequence(close: UInt8(ascii: ")"), depth: depth)
    if items.count == 1 && !sawComma, let only = items.first { return only }
    return .tuple(items)
  }

  private mutating func parseDict(depth: Int) throws -> PythonLiteral {
    try checkDepth(depth)
    pos += 1  // "{"
    var entries: [PythonLiteral.Entry] = []
    while true {
      skipWhitespace()
      if current == UInt8(ascii: "}") {
        pos += 1
        return .dict(entries)
      }
      let key = try parseValue(depth: depth)
      skipWhitespace()
      guard current == UInt8(ascii: ":") else {
        throw problem("expected ':' after a dict key but found \(describeCurrent())")
      }
      pos += 1
      let value = try parseValue(depth: depth)
      entries.append(.init(key: key, value: value))
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        pos += 1
      } else if current == UInt8(ascii: "}") {
        pos += 1
        return .dict(entries)
      } else {
        throw problem("expected ',' or '}' but found \(describeCurrent())")
      }
    }
  }
}
