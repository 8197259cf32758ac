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

// The row kernels against their references on every path (helpers in RowKernelChecks.swift).

@Suite(.serialized) struct KernelTests {
  @Test(arguments: KernelType.allCases)
  func rowSumsMatchDoubleReference(_ t: KernelType) {
    t.type.checkRowSums(seed: t.seed(0))
  }

  @Test(arguments: KernelType.allCases)
  func rowGradAndRowScaleMatchReference(_ t: KernelType) {
    t.type.checkElementwise(seed: t.seed(10))
  }

  @Test(arguments: KernelType.allCases)
  func largeCallsUseStreamingStoresCorrectly(_ t: KernelType) {
    t.type.checkLargeElementwise(seed: t.seed(20), elements: t.largeElements)
  }

  @Test func emptyInputs() {
    onEachPath { path in
      // rows == 0: nothing written, NULL pointers accepted.
      ck_rowsums_f32(nil, nil, 0, 10, nil)
      ck_rowgrad_f16(nil, nil, 0, 10, nil, nil, nil)
      ck_rowscale_f32(nil, 0, 10, nil, nil)
      // n == 0: sums are zero, element-wise kernels write nothing.
      var out = [Double](repeating: .nan, count: 3 * 4)
      ck_rowsums_f16(nil, nil, 4, 0, &out)
      #expect(out == [Double](repeating: 0, count: 12), "\(path)")
      ck_rowgrad_f64(nil, nil, 4, 0, nil, nil, nil)
    }
  }

  /// Float inputs accumulate in Double: squares of 1e20 (1e40, beyond Float) and of 1e-30
  /// (1e-60, below Float) are summed without overflow or underflow.
  @Test func floatRowsAccumulateInDouble() {
    for (v, n) in [(Float(1e20), 1000), (Float(-3e38), 33), (Float(1e-30), 17)] {
      let rows = 2
      let a = [Float](repeating: v, count: rows * n)
      let b = [Float](repeating: -v, count: rows * n)
      let x = Double(v)
      onEachPath { path in
        var out = [Double](repeating: .nan, count: 3 * rows)
        ck_rowsums_f32(a, b, rows, n, &out)
        let expected = Double(n) * x * x
        for r in 0..<rows {
          #expect(out[3 * r].isFinite && out[3 * r + 1].isFinite, "\(path) \(v)")
          #expect(abs(out[3 * r] + expected) <= 1e-15 * Double(n) * expected, "\(path) \(v): \(out[3 * r])")
          #expect(abs(out[3 * r + 1] - expected) <= 1e-15 * Double(n) * expected, "\(path) \(v)")
          #expect(abs(out[3 * r + 2] - expected) <= 1e-15 * Double(n) * expected, "\(path) \(v)")
        }
      }
    }
  }

  /// Gradient coefficients of ~1e-40 are subnormal as Floats: the kernels multiply in Double
  /// and round once, so the results keep their full (subnormal) precision.
  @Test func tinyCoefficientsAreNotFlushed() {
    let n = 37
    let a = (0..<n).map { Float($0) - 18.5 }
    let b = (0..<n).map { Float($0) * 0.25 + 1 }
    let coef = [3.3e-40, 1.7e-40, -2.9e-40, 4.1e-40]
    onEachPath { path in
      var ga = [Float](repeating: .nan, count: n)
      var gb = ga
      ck_rowgrad_f32(a, b, 1, n, coef, &ga, &gb)
      for i in 0..<n {
        let ea = Float(coef[0] * Double(b[i]) - coef[1] * Double(a[i]))
        let eb = Float(coef[2] * Double(a[i]) - coef[3] * Double(b[i]))
        #expect(ga[i].bitPattern == ea.bitPattern && gb[i].bitPattern == eb.bitPattern, "\(path) \(i)")
      }
      #expect(ga.allSatisfy { $0.isSubnormal } && gb.allSatisfy { $0.isSubnormal }, "\(path)")
    }
  }

  /// All implementations agree exactly on the element-wise kernels (same operations, no fusion).
  @Test func pathsAgreeBitForBitOnElementwiseKernels() {
    var rng = SeededGenerator(seed: 99)
    let rows = 7
    let n = 301
    let a = F32.randomMatrix(rows: rows, n: n, using: &rng)
    let b = F32.randomMatrix(rows: rows, n: n, using: &rng)
    let coef = F32.randomCoefficients(rows: rows, using: &rng)
    var results: [[UInt32]] = []
    onEachPath { _ in
      var ga = [Float](repeating: 0, count: rows * n)
      var gb = ga
      ck_rowgrad_f32(a, b, rows, n, coef, &ga, &gb)
      results.append((ga + gb).map(\.bitPattern))
    }
    #expect(results.allSatisfy { $0 == results[0] })
  }
}
