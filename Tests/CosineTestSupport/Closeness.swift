import CosineKit

// Closeness checks: relative/absolute tolerances for results with rounding error, and distances
// in units in the last place for results the documentation promises correctly rounded.

/// |a − b| ≤ atol + rtol·|b|; NaN only matches NaN.
public func isClose(_ a: Double, _ b: Double, rtol: Double, atol: Double) -> Bool {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
  return abs(a - b) <= atol + rtol * abs(b)
}

/// ``isClose(_:_:rtol:atol:)`` element-wise, with equal shapes.
public func allClose<T: TensorScalar, U: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<U>, rtol: Double, atol: Double)
  -> Bool
{
  a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { isClose(Double($0), Double($1), rtol: rtol, atol: atol) }
}

/// The number of representable values of `F` between `a` and `b` (0 when equal, +0 and −0 equal);
/// `.max` when either is NaN or they are on opposite sides of an infinity.
public func ulpDistance<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> UInt64 {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
  if a == b { return 0 }
  /// Maps the floats in order onto integers (negative values below zero).
  func ordinal(_ x: F) -> Int64 {
    let magnitude = Int64(x.exponentBitPattern) << F.significandBitCount | Int64(x.significandBitPattern)
    return x.sign == .minus ? -magnitude : magnitude
  }
  return UInt64(ordinal(a).distance(to: ordinal(b)).magnitude)
}

/// Whether `value` is within `ulps` units in the last place of `F(reference)`, the correctly
/// rounded reference (`ulps: 0` is correct rounding, `1` a faithful result).
public func isWithinULPs<F: BinaryFloatingPoint>(_ value: F, of reference: Double, ulps: UInt64) -> Bool {
  ulpDistance(value, F(reference)) <= ulps
}
