/// The row-major index of the first element of `t` that is NaN, `+infinity` or `-infinity`.
///
/// Readers of untrusted files use this to reject non-finite input before computing with it.
///
/// - Parameter t: Any tensor; rank 0 has the single index 0.
/// - Returns: The index into `t.scalars`, or `nil` when every element is finite
///   (always `nil` for an empty tensor).
public func firstNonFiniteIndex<T: TensorScalar>(_ t: Tensor<T>) -> Int? {
  guard let kernels = T.kernels else { return t.scalars.firstIndex { !$0.isFinite } }
  return FiniteCheck.firstNonFinite(kernels, t)
}

/// ``firstNonFiniteIndex(_:)`` through the scalar type's ``KernelScalar`` witness.
package enum FiniteCheck {
  /// The scan on `K`, which is `T`.
  package static func firstNonFinite<K: KernelScalar, T: TensorScalar>(_: K.Type, _ t: Tensor<T>) -> Int? {
    K.firstNonFiniteIndex(t.retyped(K.self))
  }
}

extension KernelScalar {
  package static func firstNonFiniteIndex(_ t: Tensor<Self>) -> Int? {
    t.scalars.firstIndex { !$0.isFinite }
  }
}
