/// An error about a file CosineKit reads or writes (`.npy`, `.npz`, model and index files): which
/// file, and what is wrong with it.
///
/// ``description`` is a single line, `"<path>: <message>"`, suitable for printing as is:
///
/// ```
/// data/x.npy: truncated: expected 96 bytes of data, found 40
/// ```
///
/// ``NPYError`` and ``TrainingFileError`` are this type.
///
/// **Edge cases**: control characters in the path or the message (a newline in a file name, or
/// text taken from a hostile file) are written as `\xNN`, so the description is always one line.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file the error is about, as it was passed in (or the `source` given to
  /// ``NPY/decode(_:source:)``), with control characters escaped.
  public let path: String
  /// What is wrong, in one line and without the path, e.g. `"not a .npy file: …"`.
  public let message: String

  /// Creates an error about `path`.
  ///
  /// - Parameters:
  ///   - path: The file (or in-memory source name) the error is about.
  ///   - message: One line saying what is wrong.
  ///
  /// **Edge cases**: control characters in either part are escaped as `\xNN`.
  public init(path: String, message: String) {
    self.path = path.escapingControlCharacters
    self.message = message.escapingControlCharacters
  }

  /// `"<path>: <message>"` on one line.
  public var description: String { "\(path): \(message)" }
}
