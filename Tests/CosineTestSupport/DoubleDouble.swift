// Exact and double-double references for checks in units in the last place of `Double` results,
// with no Foundation: error-free transformations (TwoSum, FMA residuals) and a double-double
// number (about 106 significant bits) for formulas.

/// Whether `r` is the correctly rounded (to nearest) value of `hi + lo`, an exact value given as
/// an unevaluated sum with `r` near `hi`: the error `(hi − r) + lo` must lie within half the gap
/// to `r`'s neighbours on each side.
public func isCorrectlyRounded(_ r: Double, exact hi: Double, _ lo: Double) -> Bool {
  guard r.isFinite else { return false }
  let d = hi - r  // exact when r is within a few ulps of hi (Sterbenz)
  let below = (r.nextDown - r) / 2
  let above = (r.nextUp - r) / 2
  // d + lo compared without rounding it: d is a multiple of the ulp, lo is far smaller.
  if d == 0 { return lo >= below && lo <= above }
  let e = d + lo
  return e > below && e < above
}

/// `a + b` exactly, as the rounded sum and its error (Knuth's TwoSum).
public func twoSum(_ a: Double, _ b: Double) -> (hi: Double, lo: Double) {
  let s = a + b
  let bb = s - a
  return (s, (a - (s - bb)) + (b - bb))
}

/// Whether `r` is the correctly rounded sum `a + b` (no overflow).
public func isCorrectlyRoundedSum(_ r: Double, _ a: Double, _ b: Double) -> Bool {
  let (s, e) = twoSum(a, b)
  return isCorrectlyRounded(r, exact: s, e)
}

/// Whether `r` is the correctly rounded product `a · b`: `a·b − r` is exact as one FMA when the
/// product neither overflows nor underflows.
public func isCorrectlyRoundedProduct(_ r: Double, _ a: Double, _ b: Double) -> Bool {
  isCorrectlyRounded(r, exact: r, (-r).addingProduct(a, b))
}

/// Whether `r` is the correctly rounded quotient `a / b`: the residual `a − r·b` is exact as one
/// FMA (no overflow or underflow), and `a/b − r = residual / b` must lie within half the gaps
/// around `r`, compared after multiplying the bounds by `b` (exact: they are powers of two).
public func isCorrectlyRoundedQuotient(_ r: Double, _ a: Double, _ b: Double) -> Bool {
  guard r.isFinite, b != 0 else { return false }
  let residual = a.addingProduct(-r, b)
  let x = (r.nextDown - r) / 2 * b
  let y = (r.nextUp - r) / 2 * b
  return residual >= Swift.min(x, y) && residual <= Swift.max(x, y)
}

/// A double-double number `hi + lo`, |lo| ≤ ulp(hi)/2: about 106 significant bits.
public struct DoubleDouble: Sendable {
  public var hi: Double
  public var lo: Double

  public init(_ x: Double) {
    hi = x
    lo = 0
  }

  init(_ hi: Double, _ lo: Double) {
    let s = hi + lo
    self.hi = s
    self.lo = lo - (s - hi)
  }

  /// The value rounded to `Double`.
  public var value: Double { hi + lo }

  public static func + (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
    let (s, e) = twoSum(a.hi, b.hi)
    let (t, f) = twoSum(a.lo, b.lo)
    let u = DoubleDouble(s, e + t)
    return DoubleDouble(u.hi, u.lo + f)
  }

  public static func - (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble { a + DoubleDouble(-b.hi, -b.lo) }

  public static func * (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
    let p = a.hi * b.hi
    let e = (-p).addingProduct(a.hi, b.hi)
    return DoubleDouble(p, e + (a.hi * b.lo + a.lo * b.hi))
  }

  public static func / (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
    let q1 = a.hi / b.hi
    let r1 = a - b * DoubleDouble(q1)
    let q2 = r1.hi / b.hi
    let r2 = r1 - b * DoubleDouble(q2)
    let q3 = r2.hi / b.hi
    return DoubleDouble(q1, q2) + DoubleDouble(q3)
  }

  /// The square root (one Newton step from the `Double` root).
  public func squareRoot() -> DoubleDouble {
    guard hi > 0 else { return DoubleDouble(0) }
    let s = hi.squareRoot()
    let r = self - DoubleDouble(s) * DoubleDouble(s)
    return DoubleDouble(s, r.hi / (2 * s))
  }
}

/// `Σ x·y` in double-double (every product exact, sums with about 106 bits).
public func doubleDoubleDot(_ x: [Double], _ y: [Double]) -> DoubleDouble {
  var s = DoubleDouble(0)
  for (a, b) in zip(x, y) { s = s + DoubleDouble(a) * DoubleDouble(b) }
  return s
}
