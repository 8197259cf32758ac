import CCosineKernels
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

// The one float <-> half and float <-> bfloat16 conversion of the C kernels (ck_convert.h),
// checked over all 65536 bit patterns of each 16-bit format and, for the rounding directions,
// at every midpoint between neighbouring 16-bit values and at the floats either side of it.

/// Runs one of the C array conversions.
private func convert<A, B>(_ x: [A], zero: B, _ f: (UnsafePointer<A>, Int64, UnsafeMutablePointer<B>) -> Void) -> [B] {
  var out = [B](repeating: zero, count: x.count)
  x.withUnsafeBufferPointer { p in
    out.withUnsafeMutableBufferPointer { f(p.baseAddress!, Int64(x.count), $0.baseAddress!) }
  }
  return out
}

private let allPatterns = (0...UInt16.max).map { $0 }

/// The inputs of a rounding test around the finite 16-bit value `v` (non-negative) with spacing
/// `ulp` to the next value up: `v` itself, the midpoint to the next value, the floats either side
/// of that midpoint, and their negatives.
private func roundingInputs(_ v: Double, ulp: Double) -> [Float] {
  let mid = Float(v + ulp / 2)  // exact: one bit more than the 16-bit format
  let xs = [Float(v), mid, mid.nextUp, mid.nextDown]
  return xs + xs.map { -$0 }
}

@Suite struct HalfConversionTests {
  /// half -> float is exact for all 65536 patterns, as Swift's Float(Float16) is; NaNs stay NaN,
  /// quieted, with sign and payload kept.
  @Test func halfToFloatIsExactForAllBitPatterns() {
    let got = convert(allPatterns, zero: Float.zero) { ck_f16_to_f32($0, $1, $2) }
    var wrong: [UInt16] = []
    for h in allPatterns {
      let g = got[Int(h)]
      let x = Float16(bitPattern: h)
      if x.isNaN {
        let payload = (g.bitPattern >> 13) & 0x3ff
        let ok = g.isNaN && g.sign == x.sign && payload == UInt32(h & 0x3ff) | 0x200
        if !ok { wrong.append(h) }
      } else if g.bitPattern != Float(x).bitPattern {
        wrong.append(h)
      }
    }
    #expect(wrong.count == 0, "patterns decoded wrongly, first \(wrong.prefix(5))")
  }

  /// float -> half rounds to nearest even exactly as Swift's Float16(Float): every half value,
  /// every midpoint between neighbours (ties), the floats either side of each midpoint, the
  /// subnormal range, the overflow threshold 65520 and beyond, infinities.
  @Test func floatToHalfRoundsToNearestEvenAtEveryMidpoint() {
    var inputs: [Float] = [.infinity, -.infinity, 1e30, -1e30, .greatestFiniteMagnitude, 65536]
    for h in allPatterns where h < 0x7c00 {  // finite, non-negative halves
      let x = Float16(bitPattern: h)
      inputs += roundingInputs(Double(x), ulp: Double(x.ulp))
    }
    let got = convert(inputs, zero: UInt16.zero) { ck_f32_to_f16($0, $1, $2) }
    var wrong: [Float] = []
    for (i, x) in inputs.enumerated() where got[i] != Float16(x).bitPattern { wrong.append(x) }
    #expect(inputs.count > 250_000)
    #expect(wrong.count == 0, "floats rounded wrongly, first \(wrong.prefix(5))")
  }

  /// float -> half keeps every NaN a NaN (quieted), including NaNs whose payload lies only in the
  /// low 13 bits that the conversion drops; the sign is kept.
  @Test func floatToHalfKeepsNaN() {
    let payloads: [UInt32] = [1, 0x1fff, 0x2000, 0x400000, 0x7fffff, 0x12345]
    let nans = payloads.flatMap { [Float(bitPattern: 0x7f80_0000 | $0), Float(bitPattern: 0xff80_0000 | $0)] }
    let got = convert(nans, zero: UInt16.zero) { ck_f32_to_f16($0, $1, $2) }
    for (x, g) in zip(nans, got) {
      let h = Float16(bitPattern: g)
      #expect(h.isNaN && h.sign == x.sign && g & 0x200 != 0, "\(x.bitPattern) -> \(g)")
    }
  }

  /// Half -> float -> half returns every pattern (NaNs quieted).
  @Test func halfRoundTripsForAllBitPatterns() {
    let floats = convert(allPatterns, zero: Float.zero) { ck_f16_to_f32($0, $1, $2) }
    let back = convert(floats, zero: UInt16.zero) { ck_f32_to_f16($0, $1, $2) }
    let wrong = allPatterns.filter { h in
      Float16(bitPattern: h).isNaN ? back[Int(h)] != h | 0x200 : back[Int(h)] != h
    }
    #expect(wrong.count == 0, "patterns not round-tripped, first \(wrong.prefix(5))")
  }
}

/// The value of a bfloat16 pattern from its fields, in Double (independent of bit tricks):
/// 1 sign bit, 8 exponent bits (bias 127), 7 mantissa bits.
private func bfloat16Value(_ b: UInt16) -> Double {
  let sign: Double = b & 0x8000 != 0 ? -1 : 1
  let e = Int((b >> 7) & 0xff)
  let m = Double(b & 0x7f)
  if e == 0xff { return m == 0 ? sign * .infinity : .nan }
  if e == 0 { return sign * m / 128 * 0x1p-126 }
  return sign * (1 + m / 128) * Double(sign: .plus, exponent: e - 127, significand: 1)
}

/// Round to nearest even to bfloat16, by comparing distances in Double: `x` finite.
private func bfloat16Reference(_ x: Float) -> UInt16 {
  let sign: UInt16 = x.sign == .minus ? 0x8000 : 0
  let ax = Double(x.magnitude)
  let lo = UInt16(truncatingIfNeeded: x.magnitude.bitPattern >> 16)  // the value just below (or equal)
  let hi = lo + 1  // the next one up (0x7f80 is infinity: its "value" continues the binade, 2^128)
  let vlo = bfloat16Value(lo)
  let vhi = hi == 0x7f80 ? 0x1p128 : bfloat16Value(hi)
  let dlo = ax - vlo
  let dhi = vhi - ax
  let pick = dlo < dhi ? lo : (dhi < dlo ? hi : (lo & 1 == 0 ? lo : hi))
  return sign | pick
}

@Suite struct BFloat16ConversionTests {
  /// bfloat16 -> float is exact for all 65536 patterns (against the value built from the fields);
  /// NaNs stay NaN with their sign.
  @Test func bfloat16ToFloatIsExactForAllBitPatterns() {
    let got = convert(allPatterns, zero: Float.zero) { ck_bf16_to_f32($0, $1, $2) }
    var wrong: [UInt16] = []
    for b in allPatterns {
      let v = bfloat16Value(b)
      let g = got[Int(b)]
      let ok =
        v.isNaN
        ? g.isNaN && (g.sign == .minus) == (b & 0x8000 != 0) : Double(g) == v && (g.sign == .minus) == (b & 0x8000 != 0)
      if !ok { wrong.append(b) }
    }
    #expect(wrong.count == 0, "patterns decoded wrongly, first \(wrong.prefix(5))")
  }

  /// float -> bfloat16 is round-to-nearest-even, bit for bit: every bfloat16 value, every midpoint
  /// (ties), the floats either side of each midpoint (both signs), overflow, and a million seeded
  /// random floats.
  @Test func floatToBFloat16RoundsToNearestEvenAtEveryMidpoint() {
    var inputs: [Float] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude]
    for b in allPatterns where b < 0x7f80 {  // finite, non-negative
      let v = bfloat16Value(b)
      let up = b + 1 == 0x7f80 ? 0x1p128 : bfloat16Value(b + 1)
      inputs += roundingInputs(v, ulp: up - v).filter { $0.isFinite }
    }
    var rng = SeededGenerator(seed: 16)
    for _ in 0..<1_000_000 {
      let x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
      if x.isFinite { inputs.append(x) }
    }
    let got = convert(inputs, zero: UInt16.zero) { ck_f32_to_bf16($0, $1, $2) }
    var wrong: [Float] = []
    for (i, x) in inputs.enumerated() where got[i] != bfloat16Reference(x) { wrong.append(x) }
    #expect(inputs.count > 1_200_000)
    #expect(wrong.count == 0, "floats rounded wrongly, first \(wrong.prefix(5).map(\.bitPattern))")
  }

  /// Infinities stay infinities, values from max + half an ulp overflow to infinity, and every NaN
  /// stays a NaN, also when its payload lies only in the 16 bits the conversion drops.
  @Test func floatToBFloat16KeepsSpecialValues() {
    let maxB = bfloat16Value(0x7f7f)
    let edge = Float(maxB + (0x1p128 - maxB) / 2)  // the tie above the largest finite bfloat16
    let xs: [Float] = [.infinity, -.infinity, edge, edge.nextDown, -edge]
    let got = convert(xs, zero: UInt16.zero) { ck_f32_to_bf16($0, $1, $2) }
    #expect(got == [0x7f80, 0xff80, 0x7f80, 0x7f7f, 0xff80])
    let payloads: [UInt32] = [1, 0xffff, 0x10000, 0x400000, 0x7fffff]
    let nans = payloads.flatMap { [Float(bitPattern: 0x7f80_0000 | $0), Float(bitPattern: 0xff80_0000 | $0)] }
    let back = convert(convert(nans, zero: UInt16.zero) { ck_f32_to_bf16($0, $1, $2) }, zero: Float.zero) {
      ck_bf16_to_f32($0, $1, $2)
    }
    for (x, g) in zip(nans, back) { #expect(g.isNaN && g.sign == x.sign, "\(x.bitPattern) -> \(g.bitPattern)") }
  }
}
