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

  // MARK: Packed kernels (its own working type)

  static func select(_ x: [Double], float: ([Float]) -> [Float], double: ([Double]) -> [Double]) -> [Double] {
    double(x)
  }

  static func select(
    _ x: [Double], _ y: [Double], float: ([Float], [Float]) -> [Float], double: ([Double], [Double]) -> [Double]
  ) -> [Double] {
    double(x, y)
  }

  static var preferredPanelWidth: Int { Int(cg_panel_width_f64()) }
  static func preferredQueryWidth(panelWidth: Int) -> Int { Int(cg_query_width_f64(Int64(panelWidth))) }

  static func gemm(
    _ a: UnsafePointer<Double>, rows m: Int, width aw: Int, _ b: UnsafePointer<Double>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Double>, rowStride ldc: Int
  ) {
    let status = cg_gemm_f64(a, Int64(m), Int64(aw), b, Int64(bw), Int64(n), Int64(d), c, Int64(ldc))
    checkKernelStatus(status, "cg_gemm_f64")
  }

  static func search(
    _ a: UnsafePointer<Double>, rows m: Int, width aw: Int, _ b: UnsafePointer<Double>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps h: TopKHeaps<Double>.Pointers
  ) {
    let status = cg_search_f64(
      a, Int64(m), Int64(aw), b, Int64(bw), Int64(rows.lowerBound), Int64(rows.count),
      Int64(validRows), Int64(d), Int64(idOffset),
      cg_heaps_f64(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)))
    checkKernelStatus(status, "cg_search_f64")
  }

  static func sortHeaps(_ h: TopKHeaps<Double>.Pointers, count m: Int) {
    cg_sort_heaps_f64(
      cg_heaps_f64(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)), Int64(m))
  }

  static func lseRows(
    _ s: UnsafePointer<Double>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>
  ) {
    cg_loss_lse_rows_f64(s, Int64(lds), Int64(rows), Int64(cols), scale, m, sum)
  }

  static func softmaxRows(
    _ s: UnsafeMutablePointer<Double>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double {
    cg_loss_softmax_rows_f64(s, Int64(lds), Int64(rows), Int64(cols), scale, ref, f, w)
  }

  static func lossGemm(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Double>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Double>, ldb: Int, _ c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cg_loss_gemm_f64(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }

  static func packRows(
    _ x: UnsafePointer<Double>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Double>
  ) {
    [Double](repeating: 1, count: rows).withUnsafeBufferPointer {
      cg_pack_f64(x, Int64(rows), Int64(dim), nil, $0.baseAddress, Int64(width), dest)
    }
  }

  static func anyNeighborEngine(_ e: NeighborEngine<Double>) -> AnyNeighborEngine { .double(e) }

  static func converted<U: KernelScalar>(_ x: [Double], to _: U.Type) -> [U] { U.rounding(x) }
}
