/// The packed kernels of a type that works in another type (`Float16` works in `Float`):
/// forwarded to its working type. `Float` and `Double` implement them (a type that is its own
/// working type must, or these would call themselves).
extension KernelScalar {
  static var preferredPanelWidth: Int { Working.preferredPanelWidth }

  static func preferredQueryWidth(panelWidth: Int) -> Int { Working.preferredQueryWidth(panelWidth: panelWidth) }

  static func gemm(
    _ a: UnsafePointer<Working>, rows m: Int, width aw: Int, _ b: UnsafePointer<Working>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Working>, rowStride ldc: Int
  ) {
    Working.gemm(a, rows: m, width: aw, b, width: bw, rows: n, dim: d, into: c, rowStride: ldc)
  }

  static func search(
    _ a: UnsafePointer<Working>, rows m: Int, width aw: Int, _ b: UnsafePointer<Working>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps: TopKHeaps<Working>.Pointers
  ) {
    Working.search(
      a, rows: m, width: aw, b, width: bw, corpusRows: rows, validRows: validRows, dim: d, idOffset: idOffset,
      heaps: heaps)
  }

  static func sortHeaps(_ heaps: TopKHeaps<Working>.Pointers, count m: Int) {
    Working.sortHeaps(heaps, count: m)
  }

  static func anyNeighborEngine(_ engine: NeighborEngine<Working>) -> AnyNeighborEngine {
    Working.anyNeighborEngine(engine)
  }

  static func select(
    _ x: [Working], float: ([Float]) -> [Float], double: ([Double]) -> [Double]
  ) -> [Working] {
    Working.select(x, float: float, double: double)
  }

  static func select(
    _ x: [Working], _ y: [Working], float: ([Float], [Float]) -> [Float],
    double: ([Double], [Double]) -> [Double]
  ) -> [Working] {
    Working.select(x, y, float: float, double: double)
  }

  static func lossGemm(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Working>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Working>, ldb: Int, _ c: UnsafeMutablePointer<Working>, ldc: Int
  ) {
    Working.lossGemm(
      m: m, n: n, k: k, a, aRowStride: aRowStride, aColumnStride: aColumnStride, b, ldb: ldb, c, ldc: ldc)
  }

  static func lseRows(
    _ s: UnsafePointer<Working>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>
  ) {
    Working.lseRows(s, lds: lds, rows: rows, cols: cols, scale: scale, max: m, sum: sum)
  }

  static func softmaxRows(
    _ s: UnsafeMutablePointer<Working>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double {
    Working.softmaxRows(s, lds: lds, rows: rows, cols: cols, scale: scale, ref: ref, f: f, w: w)
  }

  static func packRows(
    _ x: UnsafePointer<Working>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Working>
  ) {
    Working.packRows(x, rows: rows, dim: dim, width: width, into: dest)
  }
}
