import Foundation

/// Texts read from a file: one text per line of UTF-8, or one JSON record per line.
///
/// - A `.jsonl` (or `.ndjson`) file holds one record per non-blank line, each a JSON object with
///   a string field `text` (or a bare JSON string): the way to pass texts containing newlines.
/// - Any other file is UTF-8 text; each line is one text, empty lines included (they embed as
///   the empty text), a final newline ending the last line rather than starting an empty one, a
///   carriage return before a newline dropped.
///
/// Row `i` of anything computed from the texts belongs to text `i`.
public enum TextLines {
  /// The longest line accepted, in bytes; a longer one (or a file without newlines that never
  /// ends) is refused rather than read into memory.
  public static let maximumLineBytes = 16 << 20

  /// The texts of the file at `path`.
  ///
  /// - Parameters:
  ///   - path: the file.
  ///   - maximumLineBytes: the longest line accepted (default ``maximumLineBytes``).
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file and line: invalid
  ///   UTF-8, a line over the limit, a `.jsonl` line that is not a record with a string
  ///   `text`, or a file that cannot be read.
  public static func read(contentsOf path: String, maximumLineBytes: Int = maximumLineBytes) throws -> [String] {
    let jsonLines = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
    var texts = [String]()
    try forEachLine(contentsOf: path, maximumLineBytes: maximumLineBytes) { number, line, bytes in
      if !jsonLines {
        texts.append(line)
        return
      }
      if line.allSatisfy(\.isWhitespace) { return }
      let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
      if let s = object as? String {
        texts.append(s)
      } else if let record = object as? [String: Any], let s = record["text"] as? String {
        texts.append(s)
      } else {
        throw EncoderModelError.invalidFile(
          path: path, reason: "line \(number): is not a JSON object with a string field 'text'")
      }
    }
    return texts
  }

  /// Calls `body(number, line, bytes)` for each line of the file at `path` (numbered from 1,
  /// without its newline or a carriage return before it), reading 1 MiB at a time.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the line for invalid
  ///   UTF-8 or a line over `maximumLineBytes`; what `body` throws.
  package static func forEachLine(
    contentsOf path: String, maximumLineBytes: Int = maximumLineBytes,
    _ body: (Int, String, ArraySlice<UInt8>) throws -> Void
  ) throws {
    let fail = { (line: Int, reason: String) in
      EncoderModelError.invalidFile(path: path, reason: "line \(line): \(reason)")
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw EncoderModelError.invalidFile(path: path, reason: "cannot be opened for reading")
    }
    defer { try? handle.close() }
    var pending = [UInt8]()
    var lineNumber = 0
    func take(_ bytes: ArraySlice<UInt8>) throws {
      lineNumber += 1
      var bytes = bytes
      if bytes.last == 0x0D { bytes = bytes.dropLast() }
      guard let line = String(validating: bytes, as: UTF8.self) else { throw fail(lineNumber, "is not valid UTF-8") }
      try body(lineNumber, line, bytes)
    }
    while true {
      let chunk: Data
      do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
        throw EncoderModelError.invalidFile(path: path, reason: "cannot be read (\(error.localizedDescription))")
      }
      if chunk.isEmpty { break }
      var start = pending.count
      pending.append(contentsOf: chunk)
      var lineStart = 0
      while let newline = pending[start...].firstIndex(of: 0x0A) {
        try take(pending[lineStart..<newline])
        lineStart = newline + 1
        start = lineStart
      }
      pending.removeSubrange(0..<lineStart)
      if pending.count > maximumLineBytes {
        throw fail(lineNumber + 1, "is longer than \(maximumLineBytes) bytes")
      }
    }
    if !pending.isEmpty { try take(pending[...]) }
  }
}
