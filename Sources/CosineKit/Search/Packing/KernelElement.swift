import CCosineKernels

/// The element types of the packed kernels: `Float` (for `Float` and `Float16` tensors) and
/// `Double`. Each maps the generic Swift code onto the C entry points of its precision.
protocol KernelElement: BinaryFloatingPoint, Sendable {
  /// Corpus panel width for newly packed data (depends on the instruction set).
  static var preferredPanelWidth: Int { get }
  /// Register-block height that suits corpus panels of width `panelWidth`.
  static func preferredQueryWidth(panelWidth: Int) -> Int

  /// `c[i·ldc + j] = clamp(Σ_k a_i[k]·b_j[k])` for `i < m`, `j < n` (see `cg_gemm_f32`).
  static func gemm(
    _ a: UnsafePointer<Self>, rows m: Int, width aw: Int, _ b: UnsafePointer<Self>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Self>, rowStride ldc: Int)

  /// Offers corpus rows `rows` to the heaps of `m` packed queries (see `cg_search_f32`).
  static func search(
    _ a: UnsafePointer<Self>, rows m: Int, width aw: Int, _ b: UnsafePointer<Self>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps: TopKHeaps<Self>.Pointers)

  /// Sorts the first `m` heaps of `heaps` in place into rank order, best first.
  static func sortHeaps(_ heaps: TopKHeaps<Self>.Pointers, count m: Int)

  /// The engine as the analyses' enum of engines (see `NeighborEngine.swift`).
  static func anyNeighborEngine(_ engine: NeighborEngine<Self>) -> AnyNeighborEngine

  /// `float(x)` or `double(x)`, whichever takes `Self` (the training kernels of this precision).
  static func select(_ x: [Self], float: ([Float]) -> [Float], double: ([Double]) -> [Double]) -> [Self]

  /// Two-input form of ``select(_:float:double:)``.
  static func select(
    _ x: [Self], _ y: [Self], float: ([Float], [Float]) -> [Float], double: ([Double], [Double]) -> [Double]
  ) -> [Self]
}

extension Float: KernelElement {
  static func select(_ x: [Float], float: ([Float]) -> [Float], double: ([Double]) -> [Double]) -> [Float] {
    float(x)
  }

  static func select(
    _ x: [Float], _ y: [Float], float: ([Float], [Float]) -> [Float], double: ([Double], [Double]) -> [Double]
  ) -> [Float] {
    float(x, y)
  }

  static var preferredPanelWidth: Int { Int(cg_panel_width_f32()) }
  static func preferredQueryWidth(panelWidth: Int) -> Int { Int(cg_query_width_f32(Int64(panelWidth))) }

  static func gemm(
    _ a: UnsafePointer<Float>, rows m: Int, width aw: Int, _ b: UnsafePointer<Float>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Float>, rowStride ldc: Int
  ) {
    let status = cg_gemm_f32(a, Int64(m), Int64(aw), b, Int64(bw), Int64(n), Int64(d), c, Int64(ldc))
    checkKernelStatus(status, "cg_gemm_f32")
  }

  static func search(
    _ a: UnsafePointer<Float>, rows m: Int, width aw: Int, _ b: UnsafePointer<Float>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps h: TopKHeaps<Float>.Pointers
  ) {
    let status = cg_search_f32(
      a, Int64(m), Int64(aw), b, Int64(bw), Int64(rows.lowerBound), Int64(rows.count),
      Int64(validRows), Int64(d), Int64(idOffset),
      cg_heaps_f32(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)))
    checkKernelStatus(status, "cg_search_f32")
  }

  static func sortHeaps(_ h: TopKHeaps<Float>.Pointers, count m: Int) {
    cg_sort_heaps_f32(
      cg_heaps_f32(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)), Int64(m))
  }
}

extension Double: KernelElement {
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
}
