import CCosineKernels

/// `Float`'s kernels: the `_f32` entry points of the C targets (column kernels too); it works in
/// `Float`.
extension Float: KernelScalar {
  package typealias Working = Float

  package static func rowSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, into out: UnsafeMutablePointer<Double>
  ) {
    ck_rowsums_f32(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), rows, n, out)
  }

  package static func rowGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, rows: Int, length n: Int, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    ck_rowgrad_f32(
      a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), rows, n, c,
      gradA.assumingMemoryBound(to: Float.self), gradB.assumingMemoryBound(to: Float.self))
  }

  package static func rowScale(
    _ x: UnsafeRawPointer, rows: Int, length n: Int, scale: UnsafePointer<Double>, into out: UnsafeMutableRawPointer
  ) {
    ck_rowscale_f32(x.assumingMemoryBound(to: Float.self), rows, n, scale, out.assumingMemoryBound(to: Float.self))
  }

  package static func columnSums(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, dot d: UnsafeMutablePointer<Double>,
    q1: UnsafeMutablePointer<Double>, q2: UnsafeMutablePointer<Double>
  ) {
    ck_colsums_f32(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), w, d, q1, q2)
  }

  package static func columnGrad(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, width w: Int, ca: UnsafePointer<Double>,
    da: UnsafePointer<Double>, cb: UnsafePointer<Double>, db: UnsafePointer<Double>,
    gradA: UnsafeMutableRawPointer, gradB: UnsafeMutableRawPointer
  ) {
    ck_colgrad_f32(
      a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), w, ca, da, cb, db,
      gradA.assumingMemoryBound(to: Float.self), gradB.assumingMemoryBound(to: Float.self))
  }

  package static func sumsOfSquares(_ x: UnsafeRawPointer, rows: Int, dim: Int, into out: UnsafeMutablePointer<Double>)
  {
    ck_sumsq_f32(x.assumingMemoryBound(to: Float.self), Int64(rows), Int64(dim), out)
  }

  package static func pack(
    _ x: UnsafeRawPointer, rows: Int, dim: Int, pre: UnsafePointer<Double>?, post: UnsafePointer<Double>,
    width: Int, into dest: UnsafeMutablePointer<Float>
  ) {
    ck_pack_f32(x.assumingMemoryBound(to: Float.self), Int64(rows), Int64(dim), pre, post, Int64(width), dest)
  }

  // MARK: Packed kernels (its own working type)

  package static func select(_ x: [Float], float: ([Float]) -> [Float], double: ([Double]) -> [Double]) -> [Float] {
    float(x)
  }

  package static func select(
    _ x: [Float], _ y: [Float], float: ([Float], [Float]) -> [Float], double: ([Double], [Double]) -> [Double]
  ) -> [Float] {
    float(x, y)
  }

  package static func select(
    _ x: [Float], _ y: [Float], _ z: [Float]?, float: ([Float], [Float], [Float]?) -> [Float],
    double: ([Double], [Double], [Double]?) -> [Double]
  ) -> [Float] {
    float(x, y, z)
  }

  package static var preferredPanelWidth: Int { Int(ck_panel_width_f32()) }
  package static func preferredQueryWidth(panelWidth: Int) -> Int { Int(ck_query_width_f32(Int64(panelWidth))) }

  package static func gemm(
    _ a: UnsafePointer<Float>, rows m: Int, width aw: Int, _ b: UnsafePointer<Float>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Float>, rowStride ldc: Int
  ) {
    let status = ck_gemm_f32(a, Int64(m), Int64(aw), b, Int64(bw), Int64(n), Int64(d), c, Int64(ldc))
    checkKernelStatus(status, "ck_gemm_f32")
  }

  package static func gemmAccumulate(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    ck_loss_gemm_f32(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }

  package static func gemmProduct(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    ck_matmul_f32(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }

  package static func packRows(
    _ x: UnsafePointer<Float>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Float>
  ) {
    [Double](repeating: 1, count: rows).withUnsafeBufferPointer {
      ck_pack_f32(x, Int64(rows), Int64(dim), nil, $0.baseAddress, Int64(width), dest)
    }
  }

  package static func converted<U: KernelScalar>(_ x: [Float], to _: U.Type) -> [U] { U.rounding(x) }
}
