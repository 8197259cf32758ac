/// Error-message text on one line: control characters (newlines, tabs, escapes) in text that
/// came from a file or a user are written as `\xNN`, so every error stays a single line.
package enum SingleLine {
  package static func escaping(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: isControl) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
      if isControl(u) {
        let hex = String(u.value, radix: 16, uppercase: true)
        out.append(contentsOf: ("\\x" + (hex.count < 2 ? "0" + hex : hex)).unicodeScalars)
      } else {
        out.append(u)
      }
    }
    return String(out)
  }

  private static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }
}

extension String {
  /// This text with control characters escaped (see `SingleLine`), for one-line error messages.
  public var escapingControlCharacters: String { SingleLine.escaping(self) }
}
