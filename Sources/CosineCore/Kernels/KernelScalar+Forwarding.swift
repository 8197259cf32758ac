/// The packed kernels of a type that works in another type (`Float16` works in `Float`):
/// forwarded to its working type. `Float` and `Double` implement them (a type that is its own
/// working type must, or these would call themselves).
extension KernelScalar {
  package static var preferredPanelWidth: Int { Working.preferredPanelWidth }

  package static func preferredQueryWidth(panelWidth: Int) -> Int {
    Working.preferredQueryWidth(panelWidth: panelWidth)
  }

  package static func gemm(
    _ a: UnsafePointer<Working>, rows m: Int, width aw: Int, _ b: UnsafePointer<Working>, width bw: Int,
    rows n: Int, dim d: Int, into c: UnsafeMutablePointer<Working>, rowStride ldc: Int
  ) {
    Working.gemm(a, rows: m, width: aw, b, width: bw, rows: n, dim: d, into: c, rowStride: ldc)
  }

  package static func select(
    _ x: [Working], float: ([Float]) -> [Float], double: ([Double]) -> [Double]
  ) -> [Working] {
    Working.select(x, float: float, double: double)
  }

  package static func select(
    _ x: [Working], _ y: [Working], float: ([Float], [Float]) -> [Float],
    double: ([Double], [Double]) -> [Double]
  ) -> [Working] {
    Working.select(x, y, float: float, double: double)
  }

  package static func select(
    _ x: [Working], _ y: [Working], _ z: [Working]?, float: ([Float], [Float], [Float]?) -> [Float],
    double: ([Double], [Double], [Double]?) -> [Double]
  ) -> [Working] {
    Working.select(x, y, z, float: float, double: double)
  }

  package static func gemmAccumulate(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Working>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Working>, ldb: Int, _ c: UnsafeMutablePointer<Working>, ldc: Int
  ) {
    Working.gemmAccumulate(
      m: m, n: n, k: k, a, aRowStride: aRowStride, aColumnStride: aColumnStride, b, ldb: ldb, c, ldc: ldc)
  }

  package static func gemmProduct(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Working>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Working>, ldb: Int, _ c: UnsafeMutablePointer<Working>, ldc: Int
  ) {
    Working.gemmProduct(
      m: m, n: n, k: k, a, aRowStride: aRowStride, aColumnStride: aColumnStride, b, ldb: ldb, c, ldc: ldc)
  }

  package static func packRows(
    _ x: UnsafePointer<Working>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Working>
  ) {
    Working.packRows(x, rows: rows, dim: dim, width: width, into: dest)
  }
}
