import CCosineKernels

/// `Float16`'s kernels: the `_f16` entry points of the C targets, on IEEE binary16 bits; it works in
/// `Float` and saturates gradients.
extension Float16: KernelScalar {
  package typealias Working = Float

  package static var saturatesGradients: Bool { true }

  package static func rowSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    ck_rowsums_f16(a.assumingMemoryBound(to: UInt16.self), b.assumingMemoryBound(to: UInt16.self), rows, n, out)
  }

  package static func rowGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    ck_rowgrad_f16(
      a.assumingMemoryBound(to: UInt16.self), b.assumingMemoryBound(to: UInt16.self), rows, n, c,
      gradA.assumingMemoryBound(to: UInt16.self), gradB.assumingMemoryBound(to: UInt16.self))
  }

  package static func rowScale(
    _ x: UnsafeRawPointer, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutableRawPointer
  ) {
    ck_rowscale_f16(x.assumingMemoryBound(to: UInt16.self), rows, n, scale, out.assumingMemoryBound(to: UInt16.self))
  }

  package static func sumsOfSquares(_ x: UnsafeRawPointer, rows: Int, dim: Int, into out: UnsafeMutablePointer<Double>)
  {
    ck_sumsq_f16(x.assumingMemoryBound(to: UInt16.self), Int64(rows), Int64(dim), out)
  }

  package static func pack(
    _ x: UnsafeRawPointer, rows: Int, dim: Int, pre: UnsafePointer<Double>?, post: UnsafePointer<Double>,
    width: Int, into dest: UnsafeMutablePointer<Float>
  ) {
    ck_pack_f16(x.assumingMemoryBound(to: UInt16.self), Int64(rows), Int64(dim), pre, post, Int64(width), dest)
  }

  package static func storeWorking(_ source: UnsafeRawPointer, count: Int, into dest: UnsafeMutableRawPointer) {
    ck_f32_to_f16(source.assumingMemoryBound(to: Float.self), Int64(count), dest.assumingMemoryBound(to: UInt16.self))
  }

  package static func converted<U: KernelScalar>(_ x: [Float16], to _: U.Type) -> [U] { U.rounding(x) }
}
