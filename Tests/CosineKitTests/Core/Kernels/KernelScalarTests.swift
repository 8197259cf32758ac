import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Each scalar type carries its kernels (`KernelScalar`): the dispatch finds them, the working
/// types are those the docs promise, and the conversions round once.
@Suite struct KernelScalarTests {
  @Test func everyScalarTypeHasItsKernels() {
    #expect(Float.kernels == Float.self)
    #expect(Double.kernels == Double.self)
    #expect(Float16.kernels == Float16.self)
    #expect(ObjectIdentifier(Float.workingType) == ObjectIdentifier(Float.self))
    #expect(ObjectIdentifier(Double.workingType) == ObjectIdentifier(Double.self))
    #expect(ObjectIdentifier(Float16.workingType) == ObjectIdentifier(Float.self))
    #expect(Double.mayNeedRescaling && !Float.mayNeedRescaling && !Float16.mayNeedRescaling)
    #expect(Float16.saturatesGradients && !Float.saturatesGradients && !Double.saturatesGradients)
  }

  /// Float → Float16 by the C kernel equals Swift's correctly rounded conversion, for values
  /// across the half range (subnormals, ties, overflow to infinity, NaN).
  @Test func float16StoresRoundOnce() {
    var g = SeededGenerator(seed: 5)
    var values: [Float] = [
      0, -0, 1, -1, 65504, 65519.99, 65520, -65520, .infinity, -.infinity, 0x1p-24, 0x1p-25, 0x1.8p-25,
    ]
    values += (0..<4000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: g.next()) & 0x4FFF_FFFF) }
    values += (0..<2000).map { _ in -Float(bitPattern: 0x3000_0000 | UInt32(truncatingIfNeeded: g.next()) & 0x0FFF_FFFF)
    }
    var out = [Float16](repeating: 0, count: values.count)
    values.withUnsafeBytes { src in
      out.withUnsafeMutableBytes { dst in
        Float16.storeWorking(src.baseAddress!, count: values.count, into: dst.baseAddress!)
      }
    }
    for (v, h) in zip(values, out) {
      #expect(h.bitPattern == Float16(v).bitPattern, "\(v): \(h) vs \(Float16(v))")
    }
    var nan = [Float16](repeating: 0, count: 1)
    [Float.nan].withUnsafeBytes { src in
      nan.withUnsafeMutableBytes { Float16.storeWorking(src.baseAddress!, count: 1, into: $0.baseAddress!) }
    }
    #expect(nan[0].isNaN)
  }

  @Test func conversionsThroughTheWorkingType() {
    let h: [Float16] = [0.1, -2, 65504, .infinity]
    let w = Float16.working(h)
    #expect(w == h.map { Float($0) })
    let back: [Float16] = Float16.fromWorking([0.1, 1e6, -3])
    #expect(back.map(\.bitPattern) == [Float16(Float(0.1)), .infinity, -3].map(\.bitPattern))
    let d: [Double] = [1e300, -0.5]
    #expect(Double.doubles(d) == d && (Double.fromDoubles(d) as [Double]) == d)
    #expect((Float.fromDoubles([0.1]) as [Float]) == [Float(0.1)])
    #expect(Float.doubles([Float(0.1)]) == [Double(Float(0.1))])
  }

  /// Row kernels reached through the protocol agree with the portable Swift loops.
  @Test(arguments: [1, 7, 100])
  func rowKernelsAgreeWithThePortableLoops(_ n: Int) {
    let rows = 5
    let a = randomTensor([rows, n], seed: 31, as: Double.self).scalars
    let b = randomTensor([rows, n], seed: 32, as: Double.self).scalars
    var fast = [Double](repeating: 0, count: 3 * rows)
    var slow = fast
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        RowKernels.rowSums(pa.baseAddress!, pb.baseAddress!, rows: rows, length: n, into: &fast)
        PortableKernels.rowSums(pa.baseAddress!, pb.baseAddress!, rows, n, &slow)
      }
    }
    for (f, s) in zip(fast, slow) {
      #expect(isClose(f, s, rtol: 1e-13, atol: 1e-13 * Double(n)), "\(f) vs \(s)")
    }
  }
}
