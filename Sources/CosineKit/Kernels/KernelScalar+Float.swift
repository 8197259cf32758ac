import CCosineKernels

/// `Float`'s kernels: the `_f32` entry points of the C targets (column kernels too); it works in
/// `Float`.
extension Float: KernelScalar {
  typealias Working = Float

  static func rowSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    ck_rowsums_f32(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), rows, n, out)
  }

  static func rowGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    ck_rowgrad_f32(
      a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), rows, n, c,
      gradA.assumingMemoryBound(to: Float.self), gradB.assumingMemoryBound(to: Float.self))
  }

  static func rowScale(
    _ x: UnsafeRawPointer, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutableRawPointer
  ) {
    ck_rowscale_f32(x.assumingMemoryBound(to: Float.self), rows, n, scale, out.assumingMemoryBound(to: Float.self))
  }

  static func columnSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, dot d: UnsafeMutablePointer<Double>,
    q1: UnsafeMutablePointer<Double>, q2: UnsafeMutablePointer<Double>
  ) {
    ck_colsums_f32(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), w, d, q1, q2)
  }

  static func columnGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, ca: UnsafePointer<Double>,
    da: UnsafePointer<Double>, cb: UnsafePointer<Double>, db: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    ck_colgrad_f32(
      a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), w, ca, da, cb, db,
      gradA.assumingMemoryBound(to: Float.self), gradB.assumingMemoryBound(to: Float.self))
  }

  static func sumsOfSquares(_ x: UnsafeRawPointer, rows: Int, dim: Int, into out: UnsafeMutablePointer<Double>) {
    cg_sumsq_f32(x.assumingMemoryBound(to: Float.self), Int64(rows), Int64(dim), out)
  }

  static func pack(
    _ x: UnsafeRawPointer, rows: Int, dim: Int, pre: UnsafePointer<Double>?, post: UnsafePointer<Double>,
    width: Int, into dest: UnsafeMutablePointer<Float>
  ) {
    cg_pack_f32(x.assumingMemoryBound(to: Float.self), Int64(rows), Int64(dim), pre, post, Int64(width), dest)
  }

  static func accumulateRows(
    _ x: UnsafeRawPointer, dim d: Int, rows: UnsafePointer<Int64>, count: Int, scale: UnsafePointer<Double>,
    into sum: UnsafeMutablePointer<Double>
  ) {
    cg_accumulate_rows_f32(x.assumingMemoryBound(to: Float.self), Int64(d), rows, Int64(count), scale, sum)
  }
}
