import CCosineKernels
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The binary16 conversions inside the row kernels (`ck_rowsums_f16` decoding its inputs,
/// `ck_rowscale_f16` encoding its outputs) on every instruction-set path. The standalone
/// converters (`ck_f16_to_f32`, `ck_f32_to_f16`) are tested in HalfConversionTests; these check
/// that each row kernel's own vector conversion agrees with them on all 65536 patterns.
@Suite(.serialized) struct HalfRowKernelTests {
  /// binary16 -> float decoding of all 65536 bit patterns: Σ a·1 = a exactly, Σ a² = a² exactly.
  @Test func halfDecodingIsExactForAllBitPatterns() {
    let all = (0...UInt16.max).map { $0 }
    let ones = [UInt16](repeating: Float16(1).bitPattern, count: all.count)
    onEachPath { path in
      var out = [Double](repeating: 0, count: 3 * all.count)
      ck_rowsums_f16(all, ones, all.count, 1, &out)
      var mismatches = 0
      for h in all {
        let x = Float16(bitPattern: h)
        let r = Int(h)
        if x.isNaN {
          if !(out[3 * r].isNaN && out[3 * r + 1].isNaN) { mismatches += 1 }
        } else {
          let f = Float(x)
          // (-0 sums to +0: compare values, exact by construction.)
          if out[3 * r] != Double(f) || out[3 * r + 1] != Double(f * f) { mismatches += 1 }
        }
        if out[3 * r + 2] != 1 { mismatches += 1 }
      }
      #expect(mismatches == 0, "\(path): \(mismatches) bit patterns decoded wrongly")
    }
  }

  /// Every finite binary16 value survives decoding, a float multiply by 1 and re-encoding;
  /// NaNs stay NaNs (quieted).
  @Test func halfRoundTripsForAllBitPatterns() {
    let all = (0...UInt16.max).map { $0 }
    for (rows, n) in [(1, all.count), (256, 256), (4096, 16), (65536, 1), (2048, 32)] {
      onEachPath { path in
        var out = [UInt16](repeating: 0, count: all.count)
        ck_rowscale_f16(all, rows, n, [Double](repeating: 1, count: rows), &out)
        var mismatches = 0
        for h in all {
          let got = out[Int(h)]
          if Float16(bitPattern: h).isNaN {
            if !(Float16(bitPattern: got).isNaN && (got & 0x200) != 0) { mismatches += 1 }
          } else if got != h {
            mismatches += 1
          }
        }
        #expect(mismatches == 0, "\(path) rows=\(rows): \(mismatches) patterns not round-tripped")
      }
    }
  }

  /// float -> binary16 rounding (nearest even, subnormals, overflow to infinity) against Swift's
  /// Float16(Float), on every binary16 input times scales that produce ties, subnormals and overflow.
  @Test func halfEncodingRoundsToNearestEven() {
    let all = (0...UInt16.max).map { $0 }
    let scales: [Double] = [
      1 + 0x1p-11, 1 - 0x1p-12, 1 + 3 * 0x1p-12, 0.1, -3.7, 0x1p-10, 1e-6, 0x1p-24, 1e4, 65520.0 / 65504.0,
    ]
    onEachPath { path in
      for s in scales {
        var out = [UInt16](repeating: 0, count: all.count)
        ck_rowscale_f16(all, 1, all.count, [s], &out)
        var mismatches = 0
        for h in all {
          let product = Float(s) * Float(Float16(bitPattern: h))
          let got = out[Int(h)]
          if product.isNaN {
            if !Float16(bitPattern: got).isNaN { mismatches += 1 }
          } else if got != Float16(product).bitPattern {
            mismatches += 1
          }
        }
        #expect(mismatches == 0, "\(path) scale \(s): \(mismatches) wrongly rounded")
      }
    }
  }
}
