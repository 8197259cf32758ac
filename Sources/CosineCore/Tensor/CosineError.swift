/// Every error CosineKit throws. Each case's description is one line a person can act on.
public enum CosineError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Two shapes that cannot be broadcast together or that an operation needs to be equal.
  case shapeMismatch(operation: String, [Int], [Int])
  /// A shape that is invalid on its own (negative dimension, element count overflow, wrong count).
  case invalidShape(String)
  /// An axis outside `-rank ..< rank`.
  case axisOutOfRange(axis: Int, rank: Int)
  /// A parameter outside its domain (negative eps, k < 0, unknown name, …).
  case invalidArgument(String)
  /// A target of the cosine embedding loss that is neither 1 nor −1.
  case invalidTarget(value: Double, index: Int)

  public var description: String {
    switch self {
    case .shapeMismatch(let op, let a, let b):
      return "\(op): shapes \(Shape.describe(a)) and \(Shape.describe(b)) are not compatible"
    case .invalidShape(let message): return message
    case .axisOutOfRange(let axis, let rank):
      return "axis \(axis) is out of range for a tensor of rank \(rank) (valid: \(-rank)...\(rank - 1))"
    case .invalidArgument(let message): return message
    case .invalidTarget(let value, let index):
      return "target \(value) at index \(index) is neither 1 nor -1 (cosine embedding loss needs ±1 targets)"
    }
  }
}
