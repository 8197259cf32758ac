import CCosineKernels

/// `Double`'s kernels: the `_f64` entry points of the C targets; it works in `Double` and rescales
/// rows whose sums of squares leave the safe range.
extension Double: KernelScalar {
  package typealias Working = Double

  package static var mayNeedRescaling: Bool { true }

  package static func rowSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    ck_rowsums_f64(a.assumingMemoryBound(to: Double.self), b.assumingMemoryBound(to: Double.self), rows, n, out)
  }

  package static func rowGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    ck_rowgrad_f64(
      a.assumingMemoryBound(to: Double.self), b.assumingMemoryBound(to: Double.self), rows, n, c,
      gradA.assumingMemoryBound(to: Double.self), gradB.assumingMemoryBound(to: Double.self))
  }

  package static func rowScale(
    _ x: UnsafeRawPointer, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutableRawPointer
  ) {
    ck_rowscale_f64(x.assumingMemoryBound(to: Double.self), rows, n, scale, out.assumingMemoryBound(to: Double.self))
  }

  package static func sumsOfSquares(_ x: UnsafeRawPointer, rows: Int, dim: Int, into out: UnsafeMutablePointer<Double>)
  {
    ck_sumsq_f64(x.assumingMemoryBound(to: Double.self), Int64(rows), Int64(dim), out)
  }

  package static func pack(
    _ x: UnsafeRawPointer, rows: Int, dim: Int, pre: UnsafePointer<Double>?, post: UnsafePointer<Double>,
    width: Int, into dest: UnsafeMutablePointer<Double>
  ) {
    ck_pack_f64(x.assumingMemoryBound(to: Double.self), Int64(rows), Int64(dim), pre, post, Int64(width), dest)
  }

  // MARK: Packed kernels (its own working type)

  package static func select(_ x: [Double], float: ([Float]) -> [Float], double: ([Double]) -> [Double]) -> [Double] {
    double(x)
  }

  package static func select(
    _ x: [Double], _ y: [Double], float: ([Float], [Float]) -> [Float], double: ([Double], [Double]) -> [Double]
  ) -> [Double] {
    double(x, y)
  }

  package static func select(
    _ x: [Double], _ y: [Double], _ z: [Double]?, float: ([Float], [Float], [Float]?) -> [Float],
    double: ([Double], [Double], [Double]?) -> [Double]
  ) -> [Double] {
    double(x, y, z)
  }

  package static var preferredPanelWidth: Int { Int(ck_panel_width_f64()) }
  package static func preferredQueryWidth(panelWidth: Int) -> Int { Int(ck_query_width_f64(Int64(panelWidth))) }

  package static func gemm(
    _ a: UnsafePointer<Double>, rows m: Int, width aw: Int, _ b: UnsafePointer<Double>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Double>, rowStride ldc: Int
  ) {
    let status = ck_gemm_f64(a, Int64(m), Int64(aw), b, Int64(bw), Int64(n), Int64(d), c, Int64(ldc))
    checkKernelStatus(status, "ck_gemm_f64")
  }

  package static func gemmAccumulate(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Double>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Double>, ldb: Int, _ c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    ck_loss_gemm_f64(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }

  package static func gemmProduct(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Double>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Double>, ldb: Int, _ c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    ck_matmul_f64(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }

  package static func packRows(
    _ x: UnsafePointer<Double>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Double>
  ) {
    [Double](repeating: 1, count: rows).withUnsafeBufferPointer {
      ck_pack_f64(x, Int64(rows), Int64(dim), nil, $0.baseAddress, Int64(width), dest)
    }
  }

  package static func converted<U: KernelScalar>(_ x: [Double], to _: U.Type) -> [U] { U.rounding(x) }
}
