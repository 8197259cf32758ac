/// A tensor whose element type is known only at run time, as read from a `.npy` file.
public enum AnyTensor: Sendable, Equatable {
  case float16(Tensor<Float16>)
  case float32(Tensor<Float>)
  case float64(Tensor<Double>)

  /// The shape of the wrapped tensor.
  public var shape: [Int] {
    switch self {
    case .float16(let t): t.shape
    case .float32(let t): t.shape
    case .float64(let t): t.shape
    }
  }

  /// The NumPy name of the element type.
  public var dtypeName: String {
    switch self {
    case .float16: Float16.numpyName
    case .float32: Float.numpyName
    case .float64: Double.numpyName
    }
  }

  /// The wrapped tensor converted to `T`.
  public func converted<T: TensorScalar>(to _: T.Type = T.self) -> Tensor<T> {
    switch self {
    case .float16(let t): t.converted(to: T.self)
    case .float32(let t): t.converted(to: T.self)
    case .float64(let t): t.converted(to: T.self)
    }
  }

  /// Wraps a tensor of any supported scalar type.
  public init<T: TensorScalar>(_ tensor: Tensor<T>) {
    switch tensor {
    case let t as Tensor<Float16>: self = .float16(t)
    case let t as Tensor<Float>: self = .float32(t)
    case let t as Tensor<Double>: self = .float64(t)
    default: self = .float64(tensor.converted(to: Double.self))
    }
  }

  /// Bytes per element.
  public var elementSize: Int {
    switch self {
    case .float16: 2
    case .float32: 4
    case .float64: 8
    }
  }
}

extension AnyTensor: CustomStringConvertible {
  /// The dtype and shape, then the values as the tensor prints them: `float32 [2, 2]` and
  /// `[[1.0, 2.0],` / ` [3.0, 4.0]]` on the following lines.
  public var description: String {
    let values: String
    switch self {
    case .float16(let t): values = t.description
    case .float32(let t): values = t.description
    case .float64(let t): values = t.description
    }
    return "\(dtypeName) \(Shape.describe(shape))\n\(values)"
  }
}
