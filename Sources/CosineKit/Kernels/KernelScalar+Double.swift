import CCosineKernels

/// `Double`'s kernels: the `_f64` entry points of the C targets; it works in `Double` and rescales
/// rows whose sums of squares leave the safe range.
extension Double: KernelScalar {
  typealias Working = Double

  static var mayNeedRescaling: Bool { true }

  static func rowSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    ck_rowsums_f64(a.assumingMemoryBound(to: Double.self), b.assumingMemoryBound(to: Double.self), rows, n, out)
  }

  static func rowGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    ck_rowgrad_f64(
      a.assumingMemoryBound(to: Double.self), b.assumingMemoryBound(to: Double.self), rows, n, c,
      gradA.assumingMemoryBound(to: Double.self), gradB.assumingMemoryBound(to: Double.self))
  }

  static func rowScale(
    _ x: UnsafeRawPointer, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutableRawPointer
  ) {
    ck_rowscale_f64(x.assumingMemoryBound(to: Double.self), rows, n, scale, out.assumingMemoryBound(to: Double.self))
  }

  static func sumsOfSquares(_ x: UnsafeRawPointer, rows: Int, dim: Int, into out: UnsafeMutablePointer<Double>) {
    cg_sumsq_f64(x.assumingMemoryBound(to: Double.self), Int64(rows), Int64(dim), out)
  }

  static func pack(
    _ x: UnsafeRawPointer, rows: Int, dim: Int, pre: UnsafePointer<Double>?, post: UnsafePointer<Double>,
    width: Int, into dest: UnsafeMutablePointer<Double>
  ) {
    cg_pack_f64(x.assumingMemoryBound(to: Double.self), Int64(rows), Int64(dim), pre, post, Int64(width), dest)
  }

  static func accumulateRows(
    _ x: UnsafeRawPointer, dim d: Int, rows: UnsafePointer<Int64>, count: Int, scale: UnsafePointer<Double>,
    into sum: UnsafeMutablePointer<Double>
  ) {
    cg_accumulate_rows_f64(x.assumingMemoryBound(to: Double.self), Int64(d), rows, Int64(count), scale, sum)
  }
}
