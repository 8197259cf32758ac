#if canImport(_Differentiation)
  import _Differentiation
  import CosineCore
  import CosineLosses

  /// The tangent vector of every CosineKit layer: one gradient per parameter, in the order of
  /// ``Layer/parameters``. An optimizer applies it with
  /// `optimizer.update(&layer, along: tangent.tensors)`.
  ///
  /// ``zero`` is the empty list, which adds to any list as the identity.
  public struct ParameterVector<Scalar: TensorScalar>: Differentiable, AdditiveArithmetic, Sendable {
    /// The gradients, in parameter order.
    public var tensors: [Tensor<Scalar>]

    /// Wraps per-parameter gradients.
    public init(_ tensors: [Tensor<Scalar>]) { self.tensors = tensors }

    public typealias TangentVector = ParameterVector

    public static var zero: ParameterVector { ParameterVector([]) }

    /// Element-wise sum. Traps if both are non-empty with different counts.
    public static func + (lhs: ParameterVector, rhs: ParameterVector) -> ParameterVector {
      if lhs.tensors.isEmpty { return rhs }
      if rhs.tensors.isEmpty { return lhs }
      if lhs.tensors.count != rhs.tensors.count {
        fatalError("parameter lists of \(lhs.tensors.count) and \(rhs.tensors.count) tensors")
      }
      return ParameterVector(zip(lhs.tensors, rhs.tensors).map { $0 + $1 })
    }

    /// Element-wise difference. Traps if both are non-empty with different counts.
    public static func - (lhs: ParameterVector, rhs: ParameterVector) -> ParameterVector {
      if rhs.tensors.isEmpty { return lhs }
      if lhs.tensors.isEmpty { return ParameterVector(rhs.tensors.map { .zero - $0 }) }
      if lhs.tensors.count != rhs.tensors.count {
        fatalError("parameter lists of \(lhs.tensors.count) and \(rhs.tensors.count) tensors")
      }
      return ParameterVector(zip(lhs.tensors, rhs.tensors).map { $0 - $1 })
    }

    public mutating func move(by offset: ParameterVector) {
      self = self + offset
    }
  }

  extension Array {
    /// Adds a parameter tangent to a parameter list (no-op for the zero tangent).
    package mutating func move<S>(by offset: ParameterVector<S>) where Element == Tensor<S> {
      guard !offset.tensors.isEmpty else { return }
      if offset.tensors.count != count { fatalError("\(count) parameters, \(offset.tensors.count) gradients") }
      for i in indices { self[i].move(by: offset.tensors[i]) }
    }
  }

#endif
