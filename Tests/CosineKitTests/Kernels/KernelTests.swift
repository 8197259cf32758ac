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

// MARK: - Helpers

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

/// One element type of the kernels, with its reference semantics.
protocol KernelDType {
  associatedtype Element
  static var name: String { get }
  /// Half precision accumulates in Float, the others in Double.
  static var accumulatesInFloat: Bool { get }
  /// Rounds a Double to the storage type.
  static func make(_ v: Double) -> Element
  /// The exact value of a stored element.
  static func value(_ e: Element) -> Double
  static func bits(_ e: Element) -> UInt64
  /// Random magnitude exponent range, in powers of two, for a row's scale.
  static var rowScaleExponents: ClosedRange<Int> { get }

  /// `c*y - d*x` exactly as the kernels evaluate it: each operation rounded once in the
  /// working type (Double, or Float for f16), then rounded to the storage type.
  static func gradRef(_ c: Double, _ y: Element, _ d: Double, _ x: Element) -> Element
  static func scaleRef(_ s: Double, _ x: Element) -> Element

  static func rowsums(
    _ a: UnsafePointer<Element>?, _ b: UnsafePointer<Element>?, _ rows: Int, _ n: Int,
    _ out: UnsafeMutablePointer<Double>?)
  static func rowgrad(
    _ a: UnsafePointer<Element>?, _ b: UnsafePointer<Element>?, _ rows: Int, _ n: Int,
    _ coef: UnsafePointer<Double>?, _ ga: UnsafeMutablePointer<Element>?,
    _ gb: UnsafeMutablePointer<Element>?)
  static func rowscale(
    _ x: UnsafePointer<Element>?, _ rows: Int, _ n: Int, _ scale: UnsafePointer<Double>?,
    _ out: UnsafeMutablePointer<Element>?)
}

enum F32: KernelDType {
  static let name = "f32"
  static let accumulatesInFloat = false
  static func make(_ v: Double) -> Float { Float(v) }
  static func value(_ e: Float) -> Double { Double(e) }
  static func bits(_ e: Float) -> UInt64 { UInt64(e.bitPattern) }
  static let rowScaleExponents = -12...12
  static func gradRef(_ c: Double, _ y: Float, _ d: Double, _ x: Float) -> Float {
    Float(c * Double(y) - d * Double(x))
  }
  static func scaleRef(_ s: Double, _ x: Float) -> Float { Float(s * Double(x)) }
  static func rowsums(
    _ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, _ rows: Int, _ n: Int,
    _ out: UnsafeMutablePointer<Double>?
  ) { ck_rowsums_f32(a, b, rows, n, out) }
  static func rowgrad(
    _ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, _ rows: Int, _ n: Int,
    _ coef: UnsafePointer<Double>?, _ ga: UnsafeMutablePointer<Float>?,
    _ gb: UnsafeMutablePointer<Float>?
  ) { ck_rowgrad_f32(a, b, rows, n, coef, ga, gb) }
  static func rowscale(
    _ x: UnsafePointer<Float>?, _ rows: Int, _ n: Int, _ scale: UnsafePointer<Double>?,
    _ out: UnsafeMutablePointer<Float>?
  ) { ck_rowscale_f32(x, rows, n, scale, out) }
}

enum F64: KernelDType {
  static let name = "f64"
  static let accumulatesInFloat = false
  static func make(_ v: Double) -> Double { v }
  static func value(_ e: Double) -> Double { e }
  static func bits(_ e: Double) -> UInt64 { e.bitPattern }
  static let rowScaleExponents = -40...40
  static func gradRef(_ c: Double, _ y: Double, _ d: Double, _ x: Double) -> Double { c * y - d * x }
  static func scaleRef(_ s: Double, _ x: Double) -> Double { s * x }
  static func rowsums(
    _ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ rows: Int, _ n: Int,
    _ out: UnsafeMutablePointer<Double>?
  ) { ck_rowsums_f64(a, b, rows, n, out) }
  static func rowgrad(
    _ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ rows: Int, _ n: Int,
    _ coef: UnsafePointer<Double>?, _ ga: UnsafeMutablePointer<Double>?,
    _ gb: UnsafeMutablePointer<Double>?
  ) { ck_rowgrad_f64(a, b, rows, n, coef, ga, gb) }
  static func rowscale(
    _ x: UnsafePointer<Double>?, _ rows: Int, _ n: Int, _ scale: UnsafePointer<Double>?,
    _ out: UnsafeMutablePointer<Double>?
  ) { ck_rowscale_f64(x, rows, n, scale, out) }
}

/// IEEE binary16 bit patterns.
enum F16: KernelDType {
  static let name = "f16"
  static let accumulatesInFloat = true
  static func make(_ v: Double) -> UInt16 { Float16(v).bitPattern }
  static func value(_ e: UInt16) -> Double { Double(Float16(bitPattern: e)) }
  static func bits(_ e: UInt16) -> UInt64 { UInt64(e) }
  static let rowScaleExponents = -6...6
  static func gradRef(_ c: Double, _ y: UInt16, _ d: Double, _ x: UInt16) -> UInt16 {
    let yf = Float(Float16(bitPattern: y))
    let xf = Float(Float16(bitPattern: x))
    return Float16(Float(c) * yf - Float(d) * xf).bitPattern
  }
  static func scaleRef(_ s: Double, _ x: UInt16) -> UInt16 {
    Float16(Float(s) * Float(Float16(bitPattern: x))).bitPattern
  }
  static func rowsums(
    _ a: UnsafePointer<UInt16>?, _ b: UnsafePointer<UInt16>?, _ rows: Int, _ n: Int,
    _ out: UnsafeMutablePointer<Double>?
  ) { ck_rowsums_f16(a, b, rows, n, out) }
  static func rowgrad(
    _ a: UnsafePointer<UInt16>?, _ b: UnsafePointer<UInt16>?, _ rows: Int, _ n: Int,
    _ coef: UnsafePointer<Double>?, _ ga: UnsafeMutablePointer<UInt16>?,
    _ gb: UnsafeMutablePointer<UInt16>?
  ) { ck_rowgrad_f16(a, b, rows, n, coef, ga, gb) }
  static func rowscale(
    _ x: UnsafePointer<UInt16>?, _ rows: Int, _ n: Int, _ scale: UnsafePointer<Double>?,
    _ out: UnsafeMutablePointer<UInt16>?
  ) { ck_rowscale_f16(x, rows, n, scale, out) }
}

func sameBytes<T>(_ x: [T], _ y: [T]) -> Bool {
  x.count == y.count
    && x.withUnsafeBytes { p in
      y.withUnsafeBytes { q in p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0 }
    }
}

/// Row lengths covering every tail of the 8/16/32/64-element loops.
let rowLengths = [0, 1, 7, 15, 16, 17, 31, 33, 63, 64, 65, 100, 768, 1000]

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
