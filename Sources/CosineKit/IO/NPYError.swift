/// An error reading or writing a `.npy` file: which file, and what is wrong with it.
///
/// ``description`` is a single line, `"<path>: <message>"`, suitable for printing as is:
///
/// ```
/// data/x.npy: truncated: expected 96 bytes of data, found 40
/// ```
///
/// Errors from ``NPY/decode(_:source:)`` use the `source` argument in place of a path.
public struct NPYError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file the error is about, exactly as it was passed in (or the `source` given to
  /// ``NPY/decode(_:source:)``).
  public let path: String
  /// What is wrong, in one line and without the path, e.g. `"not a .npy file: …"`.
  public let message: String

  /// Creates an error about `path`.
  ///
  /// - Parameters:
  ///   - path: The file (or in-memory source name) the error is about.
  ///   - message: One line saying what is wrong. Line breaks are replaced by spaces so
  ///     that ``description`` always stays on one line.
  public init(path: String, message: String) {
    self.path = path
    self.message = NPYError.oneLine(message)
  }

  /// `"<path>: <message>"` on one line.
  public var description: String { "\(path): \(message)" }

  private static func oneLine(_ s: String) -> String {
    guard s.contains(where: { $0.isNewline }) else { return s }
    return String(s.map { $0.isNewline ? " " : $0 })
  }
}

/// A problem found while reading or writing, before the path is attached.
///
/// Internal code throws this; the public entry points turn it into an ``NPYError``
/// naming the file.
struct NPYProblem: Error, Equatable {
  let message: String
  init(_ message: String) { self.message = message }
}

extension NPYError {
  /// Attaches `path` to whatever `body` throws: ``NPYProblem``s become ``NPYError``s,
  /// ``NPYError``s and other errors pass through unchanged.
  static func naming<R>(_ path: String, _ body: () throws -> R) throws -> R {
    do {
      return try body()
    } catch let problem as NPYProblem {
      throw NPYError(path: path, message: problem.message)
    }
  }
}
