/// The row-major index of the first element of `t` that is NaN, `+infinity` or `-infinity`.
///
/// Readers of untrusted files use this to reject non-finite input before computing with it.
///
/// - Parameter t: Any tensor; rank 0 has the single index 0.
/// - Returns: The index into `t.scalars`, or `nil` when every element is finite
///   (always `nil` for an empty tensor).
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Double)
@_specialize(exported:true,where T == Float16)
public func firstNonFiniteIndex<T: TensorScalar>(_ t: Tensor<T>) -> Int? {
  t.scalars.firstIndex { !$0.isFinite }
}
