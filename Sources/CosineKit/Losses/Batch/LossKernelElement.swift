import CCosineKernels

/// The kernel element types of the streaming batch losses (`Float` for `Float` and `Float16`
/// tensors, `Double` for `Double`), with the gradient GEMM and the packing they need.
protocol LossKernelElement: KernelElement {
  /// `C[i][j] += Σ_p A(i, p)·B[p][j]` with `A(i, p) = a[i·aRowStride + p·aColumnStride]`
  /// (see `cg_loss_gemm_f32`).
  static func lossGemm(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Self>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Self>, ldb: Int, _ c: UnsafeMutablePointer<Self>, ldc: Int)

  /// Folds the logits `scale·s` of a tile into running per-row (max, Σ exp) states
  /// (see `cg_loss_lse_rows_f32`).
  static func lseRows(
    _ s: UnsafePointer<Self>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>)

  /// `s = f[r]·exp(scale·s − ref[r])` in place; returns `Σ_r w[r]·Σ_c exp(…)·s`
  /// (see `cg_loss_softmax_rows_f32`).
  static func softmaxRows(
    _ s: UnsafeMutablePointer<Self>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double

  /// Packs `rows` already normalized rows (row-major) into panels of width `width`, unchanged.
  static func packRows(_ x: UnsafePointer<Self>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Self>)
}

/// Factors of 1 for packing rows unchanged.
private func ones(_ n: Int) -> [Double] { [Double](repeating: 1, count: n) }

extension Float: LossKernelElement {
  static func lseRows(
    _ s: UnsafePointer<Float>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>
  ) {
    cg_loss_lse_rows_f32(s, Int64(lds), Int64(rows), Int64(cols), scale, m, sum)
  }

  static func softmaxRows(
    _ s: UnsafeMutablePointer<Float>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double {
    cg_loss_softmax_rows_f32(s, Int64(lds), Int64(rows), Int64(cols), scale, ref, f, w)
  }

  static func lossGemm(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
    _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cg_loss_gemm_f32(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }

  static func packRows(
    _ x: UnsafePointer<Float>, rows: Int, dim: Int, width: Int, into dest: UnsafeMutablePointer<Float>
  ) {
    ones(rows).withUnsafeBufferPointer {
      cg_pack_f32(x, Int64(rows), Int64(dim), nil, $0.baseAddress, Int64(width), dest)
    }
  }
}

extension Double: LossKernelElement {
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
    ones(rows).withUnsafeBufferPointer {
      cg_pack_f64(x, Int64(rows), Int64(dim), nil, $0.baseAddress, Int64(width), dest)
    }
  }
}
