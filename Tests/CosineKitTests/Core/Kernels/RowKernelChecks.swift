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

// Tests of the C inner loops (CCosineKernels) on every implementation this CPU can run:
// the portable scalar path, the AVX2 path and the automatically chosen (AVX-512) path,
// against references computed in Swift.
//
// Each path is forced with `withKernelLevel`, which holds for the calling task (and the threads
// the kernels split over) only; the suite is serialized to keep its timing-sensitive streaming
// tests apart.

/// The implementation selected through the test hook.
enum KernelPath: Int32, CaseIterable, CustomStringConvertible {
  case scalar = 0
  case automatic = 2
  case avx2 = 1  // the AVX2 kernels where the CPU has them, else scalar
  var description: String {
    switch self {
    case .scalar: "scalar"
    case .automatic: "automatic"
    case .avx2: "avx2"
    }
  }
  /// The `withKernelLevel` level of the path.
  var level: Int {
    switch self {
    case .scalar: 0
    case .avx2: 1
    case .automatic: 2
    }
  }
}

func onEachPath(_ body: (KernelPath) throws -> Void) rethrows {
  for path in KernelPath.allCases {
    try withKernelLevel(path.level) { try body(path) }
  }
}

extension KernelDType {
  /// rows*n random elements; each row has its own power-of-two scale.
  static func randomMatrix(rows: Int, n: Int, using rng: inout SeededGenerator) -> [Element] {
    var m: [Element] = []
    m.reserveCapacity(rows * n)
    for _ in 0..<rows {
      let scale = Double(sign: .plus, exponent: Int.random(in: rowScaleExponents, using: &rng), significand: 1)
      for _ in 0..<n { m.append(make(Double.random(in: -1...1, using: &rng) * scale)) }
    }
    return m
  }

  /// Allowed error of a sum whose terms have absolute values summing to `magnitude`.
  static func sumTolerance(n: Int, magnitude: Double) -> Double {
    accumulatesInFloat ? 1e-6 * Double(n).squareRoot() * magnitude : 1e-15 * Double(n) * magnitude
  }

  /// A buffer of `pre + count + post` sentinel elements, with the payload area starting at `pre`.
  static func guarded(count: Int, pre: Int, post: Int = 5) -> [Element] {
    [Element](repeating: make(-1234.5), count: pre + count + post)
  }

  /// Whether `buf` holds `expected` at `pre...` and sentinels around it. Records issues.
  static func checkGuarded(
    _ buf: [Element], _ expected: [Element], pre: Int, _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let sentinel = bits(make(-1234.5))
    for i in 0..<pre where bits(buf[i]) != sentinel {
      Issue.record("\(what()): wrote before the output (index \(i - pre))", sourceLocation: sourceLocation)
      return
    }
    for i in (pre + expected.count)..<buf.count where bits(buf[i]) != sentinel {
      Issue.record("\(what()): wrote past the output (index \(i - pre))", sourceLocation: sourceLocation)
      return
    }
    if !sameBytes(Array(buf[pre..<(pre + expected.count)]), expected) {
      let i = (0..<expected.count).first { bits(buf[pre + $0]) != bits(expected[$0]) }!
      Issue.record(
        "\(what()): element \(i) is \(value(buf[pre + i])) (bits \(bits(buf[pre + i]))), expected \(value(expected[i])) (bits \(bits(expected[i])))",
        sourceLocation: sourceLocation)
    }
  }

  // MARK: Generic test bodies

  static func checkRowSums(seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    for n in rowLengths {
      for rows in (n <= 33 ? [1, 3, 9] : [1, 3]) {
        let a = randomMatrix(rows: rows, n: n, using: &rng)
        let b = randomMatrix(rows: rows, n: n, using: &rng)
        // Reference sums and the magnitudes that bound their rounding errors.
        var ref = [Double](repeating: 0, count: 3 * rows)
        var mag = ref
        for r in 0..<rows {
          for i in 0..<n {
            let x = value(a[r * n + i])
            let y = value(b[r * n + i])
            ref[3 * r] += x * y
            ref[3 * r + 1] += x * x
            ref[3 * r + 2] += y * y
            mag[3 * r] += abs(x * y)
          }
          mag[3 * r + 1] = ref[3 * r + 1]
          mag[3 * r + 2] = ref[3 * r + 2]
        }
        onEachPath { path in
          var out = [Double](repeating: .nan, count: 3 * rows + 2)
          a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
              out.withUnsafeMutableBufferPointer { rowsums(pa.baseAddress, pb.baseAddress, rows, n, $0.baseAddress) }
            }
          }
          for k in 0..<(3 * rows) {
            let tol = sumTolerance(n: n, magnitude: mag[k])
            #expect(
              abs(out[k] - ref[k]) <= tol,
              "\(name) rowsums \(path) n=\(n) rows=\(rows) [\(k)]: \(out[k]) vs \(ref[k]) (tol \(tol))")
          }
          #expect(out[3 * rows].isNaN && out[3 * rows + 1].isNaN, "\(name) rowsums \(path): wrote past out")

        }
      }
    }
  }

  static func randomCoefficients(rows: Int, using rng: inout SeededGenerator) -> [Double] {
    var coef: [Double] = []
    for r in 0..<rows {
      for _ in 0..<4 {
        switch (r % 4, accumulatesInFloat) {
        case (1, false): coef.append(Double.random(in: -1...1, using: &rng) * 1e-40)  // subnormal as a Float
        case (2, _): coef.append(0)
        default:
          let e = accumulatesInFloat ? Int.random(in: -6...6, using: &rng) : Int.random(in: -20...20, using: &rng)
          coef.append(Double.random(in: -1...1, using: &rng) * Double(sign: .plus, exponent: e, significand: 1))
        }
      }
    }
    return coef
  }

  static func gradReference(_ a: [Element], _ b: [Element], rows: Int, n: Int, _ coef: [Double]) -> (
    [Element], [Element]
  ) {
    var ga = a
    var gb = b
    for r in 0..<rows {
      let ca = coef[4 * r]
      let da = coef[4 * r + 1]
      let cb = coef[4 * r + 2]
      let db = coef[4 * r + 3]
      for i in (r * n)..<(r * n + n) {
        ga[i] = gradRef(ca, b[i], da, a[i])
        gb[i] = gradRef(cb, a[i], db, b[i])
      }
    }
    return (ga, gb)
  }

  /// Runs rowgrad with each combination of outputs (both, ga only, gb only, none, in place),
  /// writing into guarded buffers at element offsets preA / preB (misaligned outputs).
  static func checkRowGrad(
    _ a: [Element], _ b: [Element], rows: Int, n: Int, _ coef: [Double],
    preA: Int, preB: Int, paths: [KernelPath] = KernelPath.allCases,
    reference: ([Element], [Element])? = nil
  ) {
    let (refA, refB) = reference ?? gradReference(a, b, rows: rows, n: n, coef)
    for path in paths {
      withKernelLevel(path.level) {
        let what = "\(name) rowgrad \(path) rows=\(rows) n=\(n)"
        for (wantA, wantB) in [(true, true), (true, false), (false, true), (false, false)] {
          var ga = guarded(count: rows * n, pre: preA)
          var gb = guarded(count: rows * n, pre: preB)
          let untouchedA = ga
          let untouchedB = gb
          a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
              coef.withUnsafeBufferPointer { pc in
                ga.withUnsafeMutableBufferPointer { qa in
                  gb.withUnsafeMutableBufferPointer { qb in
                    rowgrad(
                      pa.baseAddress, pb.baseAddress, rows, n, pc.baseAddress,
                      wantA ? qa.baseAddress! + preA : nil, wantB ? qb.baseAddress! + preB : nil)
                  }
                }
              }
            }
          }
          if wantA {
            checkGuarded(ga, refA, pre: preA, "\(what) ga (gb \(wantB ? "too" : "NULL"))")
          } else {
            #expect(sameBytes(ga, untouchedA), "\(what): ga NULL but written")
          }
          if wantB {
            checkGuarded(gb, refB, pre: preB, "\(what) gb (ga \(wantA ? "too" : "NULL"))")
          } else {
            #expect(sameBytes(gb, untouchedB), "\(what): gb NULL but written")
          }
        }
        // In place: ga over a, gb over b.
        var ia = a
        var ib = b
        ia.withUnsafeMutableBufferPointer { qa in
          ib.withUnsafeMutableBufferPointer { qb in
            coef.withUnsafeBufferPointer { pc in
              rowgrad(qa.baseAddress, qb.baseAddress, rows, n, pc.baseAddress, qa.baseAddress, qb.baseAddress)
            }
          }
        }
        checkGuarded(ia, refA, pre: 0, "\(what) in place ga")
        checkGuarded(ib, refB, pre: 0, "\(what) in place gb")
      }
    }
  }

  static func checkRowScale(
    _ x: [Element], rows: Int, n: Int, _ scale: [Double], pre: Int,
    paths: [KernelPath] = KernelPath.allCases
  ) {
    var ref = x
    for r in 0..<rows {
      for i in (r * n)..<(r * n + n) { ref[i] = scaleRef(scale[r], x[i]) }
    }
    for path in paths {
      withKernelLevel(path.level) {
        var out = guarded(count: rows * n, pre: pre)
        x.withUnsafeBufferPointer { px in
          scale.withUnsafeBufferPointer { ps in
            out.withUnsafeMutableBufferPointer {
              rowscale(px.baseAddress, rows, n, ps.baseAddress, $0.baseAddress! + pre)
            }
          }
        }
        checkGuarded(out, ref, pre: pre, "\(name) rowscale \(path) rows=\(rows) n=\(n)")
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { q in
          scale.withUnsafeBufferPointer { ps in rowscale(q.baseAddress, rows, n, ps.baseAddress, q.baseAddress) }
        }
        checkGuarded(inPlace, ref, pre: 0, "\(name) rowscale in place \(path) rows=\(rows) n=\(n)")
      }
    }
  }

  static func checkElementwise(seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    for n in rowLengths {
      for rows in [1, 5] {
        let a = randomMatrix(rows: rows, n: n, using: &rng)
        let b = randomMatrix(rows: rows, n: n, using: &rng)
        let coef = randomCoefficients(rows: rows, using: &rng)
        checkRowGrad(a, b, rows: rows, n: n, coef, preA: (n + rows) % 4, preB: n % 3)
        let scale = (0..<rows).map { r in r == 1 ? 0 : Double.random(in: -3...3, using: &rng) }
        checkRowScale(a, rows: rows, n: n, scale, pre: n % 5)
      }
    }
  }

  /// Calls big enough (> 24 MiB touched) for the streaming-store path of the AVX-512 kernels:
  /// output alignments with equal and different phases, single outputs, and in place.
  static func checkLargeElementwise(seed: UInt64, elements: Int) {
    var rng = SeededGenerator(seed: seed)
    let n = 1003
    let rows = (elements + n - 1) / n
    // Rows are windows of a random pool at pseudo-random offsets (fast to build in debug builds).
    let pool = randomMatrix(rows: 64, n: n, using: &rng) + randomMatrix(rows: 64, n: n, using: &rng)
    func matrix(_ salt: Int) -> [Element] {
      var m: [Element] = []
      m.reserveCapacity(rows * n)
      for r in 0..<rows {
        let off = (r &* 7919 &+ salt) % (pool.count - n)
        m.append(contentsOf: pool[off..<(off + n)])
      }
      return m
    }
    let a = matrix(0)
    let b = matrix(4099)
    let coef = randomCoefficients(rows: rows, using: &rng)
    let paths: [KernelPath] = [.automatic, .scalar]
    let reference = gradReference(a, b, rows: rows, n: n, coef)
    checkRowGrad(a, b, rows: rows, n: n, coef, preA: 0, preB: 0, paths: paths, reference: reference)
    checkRowGrad(a, b, rows: rows, n: n, coef, preA: 1, preB: 6, paths: paths, reference: reference)
    let scale = (0..<rows).map { _ in Double.random(in: -3...3, using: &rng) }
    checkRowScale(a, rows: rows, n: n, scale, pre: 3, paths: paths)
  }
}

// MARK: - Tests

/// The element types of the kernels, as test arguments.
enum KernelType: Int, CaseIterable, CustomStringConvertible, Sendable {
  case f32 = 1, f64, f16
  var type: any KernelDType.Type {
    switch self {
    case .f32: F32.self
    case .f64: F64.self
    case .f16: F16.self
    }
  }
  var description: String { type.name }
  /// A seed per type and test: `base` plus 1, 2 or 3.
  func seed(_ base: UInt64) -> UInt64 { base + UInt64(rawValue) }
  /// Elements of a call large enough for the streaming stores (about 12.8 MB per array).
  var largeElements: Int {
    switch self {
    case .f32: 3_200_000
    case .f64: 1_600_000
    case .f16: 6_400_000
    }
  }
}
