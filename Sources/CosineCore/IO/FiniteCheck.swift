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
    t.scalars.withUnsafeBufferPointer { FiniteCheck.firstNonFinite($0) }
  }
}

extension FiniteCheck {
  /// The index of the first NaN or infinity among `x`, or nil: what input checks run on every
  /// piece of a corpus as it is read. `Float` values are tested 64 at a time by their exponent
  /// bits (all ones for NaN and ±infinity), other types one at a time.
  package static func firstNonFinite<T: TensorScalar>(_ x: UnsafeBufferPointer<T>) -> Int? {
    guard T.self == Float.self else { return x.firstIndex { !$0.isFinite } }
    let raw = UnsafeRawBufferPointer(x)
    let n = x.count
    let exponent = SIMD16<UInt32>(repeating: 0x7f80_0000)
    var i = 0
    while i + 64 <= n {
      let a = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self) & exponent
      let b = raw.loadUnaligned(fromByteOffset: 4 * i + 64, as: SIMD16<UInt32>.self) & exponent
      let c = raw.loadUnaligned(fromByteOffset: 4 * i + 128, as: SIMD16<UInt32>.self) & exponent
      let d = raw.loadUnaligned(fromByteOffset: 4 * i + 192, as: SIMD16<UInt32>.self) & exponent
      if any((a .== exponent) .| (b .== exponent) .| (c .== exponent) .| (d .== exponent)) { break }
      i += 64
    }
    while i < n {
      if raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self) & 0x7f80_0000 == 0x7f80_0000 { return i }
      i += 1
    }
    return nil
  }
}
