/// An error reading a sentence-encoder model directory or running its forward pass.
///
/// Every case renders as one line naming the file (or argument) and the field at fault.
public enum EncoderModelError: Error, CustomStringConvertible, Equatable {
  /// A file of the model directory is missing, unreadable or malformed.
  ///
  /// - Parameters:
  ///   - path: the file's path.
  ///   - reason: what is wrong, naming the field.
  case invalidFile(path: String, reason: String)
  /// An argument of a forward pass disagrees with the model or with another argument.
  ///
  /// - Parameters:
  ///   - name: the argument's name.
  ///   - reason: what is wrong.
  case invalidArgument(name: String, reason: String)

  /// `"<path>: <reason>"` or `"<name>: <reason>"`.
  public var description: String {
    switch self {
    case .invalidFile(let path, let reason): return "\(path): \(reason)"
    case .invalidArgument(let name, let reason): return "\(name): \(reason)"
    }
  }
}
