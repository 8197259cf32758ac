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

// The element types of the row kernels' tests: Float, Double and binary16 bits, each with its
// C entry points and its rounding reference.

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
