/// An error reading or writing a `.npy` or `.npz` file: a ``FileError`` naming the file.
///
/// Errors from ``NPY/decode(_:source:)`` use the `source` argument in place of a path.
public typealias NPYError = FileError

/// A problem found while reading or writing, before the path is attached.
///
/// Internal code throws this; the public entry points turn it into an ``NPYError``
/// naming the file.
package struct NPYProblem: Error, Equatable {
  package let message: String
  package init(_ message: String) { self.message = message }
}

extension NPYError {
  /// Attaches `path` to whatever `body` throws: ``NPYProblem``s become ``NPYError``s,
  /// ``NPYError``s and other errors pass through unchanged.
  package static func naming<R>(_ path: String, _ body: () throws -> R) throws -> R {
    do {
      return try body()
    } catch let problem as NPYProblem {
      throw NPYError(path: path, message: problem.message)
    }
  }
}
