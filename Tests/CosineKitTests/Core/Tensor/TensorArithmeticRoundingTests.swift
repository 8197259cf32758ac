import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The element-wise operators give each element correctly rounded (NumericalConventions, "Tensor
/// arithmetic"): checked in units in the last place. `Double` results against exact residuals
/// (TwoSum, FMA); `Float` and `Float16` results against the `Double` result rounded to the type,
/// which is the correctly rounded result because `Double` has more than twice their precision
/// plus two bits (double rounding is then innocuous for +, −, ×, ÷).
@Suite struct TensorArithmeticRoundingTests {
  static let count = 4_000

  /// Finite `Double`s m·2^e, m standard normal, |e| ≤ 200: no product or quotient over- or
  /// underflows, so the FMA residuals are exact.
  static func doubles(seed: UInt64) -> [Double] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
      let m = g.normal()
      return (m == 0 ? 1 : m) * Double(sign: .plus, exponent: g.nextInt(below: 401) - 200, significand: 1)
    }
  }

  /// Finite values of `F` from uniformly random bit patterns: every binade, subnormals and zeros.
  static func bitPatterns<F: BinaryFloatingPoint>(_: F.Type, seed: UInt64, _ make: (UInt64) -> F) -> [F] {
    var g = SeededGenerator(seed: seed)
    var out: [F] = []
    while out.count < count {
      let x = make(g.next())
      if x.isFinite { out.append(x) }
    }
    return out
  }

  @Test func doubleOperatorsAreCorrectlyRounded() throws {
    let a = Self.doubles(seed: 101)
    let b = Self.doubles(seed: 102)
    let s = Self.doubles(seed: 103)[0]
    let ta = try Tensor(shape: [Self.count], scalars: a)
    let tb = try Tensor(shape: [Self.count], scalars: b)
    func check(_ name: String, _ got: Tensor<Double>, _ ok: (Double, Int) -> Bool) {
      let bad = got.scalars.indices.filter { !ok(got.scalars[$0], $0) }
      #expect(bad.isEmpty, "\(name): \(bad.count) results not correctly rounded, first at \(bad.first ?? -1)")
    }
    check("a + b", ta + tb) { r, i in isCorrectlyRoundedSum(r, a[i], b[i]) }
    check("a - b", ta - tb) { r, i in isCorrectlyRoundedSum(r, a[i], -b[i]) }
    check("a * b", ta * tb) { r, i in isCorrectlyRoundedProduct(r, a[i], b[i]) }
    check("a / b", ta / tb) { r, i in isCorrectlyRoundedQuotient(r, a[i], b[i]) }
    check("a + s", ta + s) { r, i in isCorrectlyRoundedSum(r, a[i], s) }
    check("s - a", s - ta) { r, i in isCorrectlyRoundedSum(r, s, -a[i]) }
    check("a * s", ta * s) { r, i in isCorrectlyRoundedProduct(r, a[i], s) }
    check("a / s", ta / s) { r, i in isCorrectlyRoundedQuotient(r, a[i], s) }
    check("s / a", s / ta) { r, i in isCorrectlyRoundedQuotient(r, s, a[i]) }
  }

  /// `op` on tensors of `F` against `F(Double op)`, element by element, 0 ulps apart.
  static func expectCorrectlyRounded<F: TensorScalar & BinaryFloatingPoint>(
    _ a: [F], _ b: [F], _ name: String, _ op: (Tensor<F>, Tensor<F>) -> Tensor<F>, _ ref: (Double, Double) -> Double
  ) throws {
    let got = op(try Tensor(shape: [a.count], scalars: a), try Tensor(shape: [b.count], scalars: b))
    let far = got.scalars.indices.filter { i in
      ulpDistance(got.scalars[i], F(ref(Double(a[i]), Double(b[i])))) != 0
    }
    #expect(
      far.isEmpty,
      "\(F.self) \(name): \(far.count) results off, first \(far.first.map { (a[$0], b[$0]) }.debugDescription)")
  }

  @Test func floatOperatorsAreCorrectlyRounded() throws {
    let a = Self.bitPatterns(Float.self, seed: 111) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    let b = Self.bitPatterns(Float.self, seed: 112) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    try Self.expectCorrectlyRounded(a, b, "+", { $0 + $1 }, { $0 + $1 })
    try Self.expectCorrectlyRounded(a, b, "-", { $0 - $1 }, { $0 - $1 })
    try Self.expectCorrectlyRounded(a, b, "*", { $0 * $1 }, { $0 * $1 })
    try Self.expectCorrectlyRounded(a, b, "/", { $0 / $1 }, { $0 / $1 })
    // Operands a few binades apart, where sums round.
    let near = a.map { $0 * 0x1p-5 }
    try Self.expectCorrectlyRounded(a, near, "+ (close magnitudes)", { $0 + $1 }, { $0 + $1 })
    try Self.expectCorrectlyRounded(a, a.map { -$0.nextUp }, "- (cancellation)", { $0 + $1 }, { $0 + $1 })
  }

  @Test func float16OperatorsAreCorrectlyRounded() throws {
    let a = Self.bitPatterns(Float16.self, seed: 121) { Float16(bitPattern: UInt16(truncatingIfNeeded: $0)) }
    let b = Self.bitPatterns(Float16.self, seed: 122) { Float16(bitPattern: UInt16(truncatingIfNeeded: $0)) }
    try Self.expectCorrectlyRounded(a, b, "+", { $0 + $1 }, { $0 + $1 })
    try Self.expectCorrectlyRounded(a, b, "-", { $0 - $1 }, { $0 - $1 })
    try Self.expectCorrectlyRounded(a, b, "*", { $0 * $1 }, { $0 * $1 })
    try Self.expectCorrectlyRounded(a, b, "/", { $0 / $1 }, { $0 / $1 })
    let near = a.map { $0 * 0.25 }
    try Self.expectCorrectlyRounded(a, near, "+ (close magnitudes)", { $0 + $1 }, { $0 + $1 })
    let s = Float16(1.7)
    try Self.expectCorrectlyRounded(a, b, "* s", { x, _ in x * s }, { x, _ in x * Double(s) })
    try Self.expectCorrectlyRounded(a, b, "s / a", { x, _ in s / x }, { x, _ in Double(s) / x })
  }

  @Test func theExactChecksRejectAnUlpOff() {
    // The checks themselves can fail: a neighbour of the right result is refused.
    let (a, b) = (0.1, 0.7)
    #expect(isCorrectlyRoundedSum(a + b, a, b) && !isCorrectlyRoundedSum((a + b).nextUp, a, b))
    #expect(isCorrectlyRoundedProduct(a * b, a, b) && !isCorrectlyRoundedProduct((a * b).nextDown, a, b))
    #expect(isCorrectlyRoundedQuotient(a / b, a, b) && !isCorrectlyRoundedQuotient((a / b).nextUp, a, b))
    #expect(!isCorrectlyRoundedQuotient((a / b).nextDown, a, b))
  }
}
