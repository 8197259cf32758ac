/// The matrix products of a dense layer, on row-major buffers.
///
/// Shapes: `x` is [n, k], `w` is [k, m], `y` is [n, m]. The products run on the register-blocked
/// GEMM of the `CCosineKernels` target (`ck_loss_gemm_*`, not clamped, AVX-512 / AVX2 / portable C
/// chosen at run time), with the rows of the result split across cores when the work is large
/// enough. They are computed in the scalar type's working type (``KernelScalar/Working``: `Float`
/// for `Float16` and `Float`, `Double` for `Double`), each element accumulated with fused
/// multiply-adds in the order of the inner index, rounded once to the storage type. Results do
/// not depend on the thread count (each element is computed by one thread, in the same order).
package enum MatrixKernels {
  /// `y = x·w (+ b)`.
  package static func affine<T: TensorScalar>(
    _ x: [T], rows n: Int, inner k: Int, _ w: [T], outer m: Int, bias: [T]?
  ) -> [T] {
    ScalarDispatch.map(
      x, w, bias, float: { affine($0, n, k, $1, m, $2) }, double: { affine($0, n, k, $1, m, $2) })
  }

  /// `dx = dy·wᵀ`: [n, m] × ([k, m])ᵀ → [n, k].
  package static func timesTransposed<T: TensorScalar>(_ dy: [T], rows n: Int, outer m: Int, _ w: [T], inner k: Int)
    -> [T]
  {
    ScalarDispatch.map(
      dy, w,
      float: { timesTransposed($0, n, m, $1, k) },
      double: { timesTransposed($0, n, m, $1, k) })
  }

  /// `dw = xᵀ·dy`: ([n, k])ᵀ × [n, m] → [k, m].
  package static func transposedTimes<T: TensorScalar>(_ x: [T], rows n: Int, inner k: Int, _ dy: [T], outer m: Int)
    -> [T]
  {
    ScalarDispatch.map(
      x, dy,
      float: { transposedTimes($0, n, k, $1, m) },
      double: { transposedTimes($0, n, k, $1, m) })
  }

  /// Column sums of an [n, m] matrix: the bias gradient.
  package static func columnSums<T: TensorScalar>(_ dy: [T], rows n: Int, columns m: Int) -> [T] {
    ScalarDispatch.map(dy, float: { columnSums($0, n, m) }, double: { columnSums($0, n, m) })
  }

  // MARK: Kernels

  /// `y = x·w (+ b)` in `E`. Without a bias the GEMM writes `y` directly (no zeroing first);
  /// with one, `y` starts as the bias rows and the GEMM adds `x·w`.
  package static func affine<E: KernelScalar>(
    _ x: [E], _ n: Int, _ k: Int, _ w: [E], _ m: Int, _ b: [E]?
  ) -> [E] where E.Working == E {
    let count = n * m
    var y: [E] = OutputBuffer.uninitialized(count)
    y.withUnsafeMutableBufferPointer { out in
      guard let ys = out.baseAddress.map(SharedPointer.init) else { return }
      if let b {
        for r in 0..<n { (ys.base + r * m).update(from: b, count: m) }
      }
      guard k > 0 else {
        if b == nil { ys.base.update(repeating: 0, count: count) }
        return
      }
      let accumulate = b != nil
      x.withUnsafeBufferPointer { px in
        w.withUnsafeBufferPointer { pw in
          let xs = SharedConstPointer(px.baseAddress!)
          let ws = SharedConstPointer(pw.baseAddress!)
          // Workers take whole query panels of the GEMM (14 rows with AVX-512), so that only the
          // last panel of the product can be partial (a partial panel runs the slower, general
          // micro-kernel).
          let panel = E.preferredQueryWidth(panelWidth: E.preferredPanelWidth)
          let panels = (n + panel - 1) / panel
          Parallel.forEachRange(panels, costPerItem: 2 * panel * k * m) { range in
            let rows = (range.lowerBound * panel)..<min(n, range.upperBound * panel)
            let (a, c) = (xs.base + rows.lowerBound * k, ys.base + rows.lowerBound * m)
            if accumulate {
              E.gemmAccumulate(
                m: rows.count, n: m, k: k, a, aRowStride: k, aColumnStride: 1, ws.base, ldb: m, c, ldc: m)
            } else {
              E.gemmProduct(m: rows.count, n: m, k: k, a, aRowStride: k, aColumnStride: 1, ws.base, ldb: m, c, ldc: m)
            }
          }
        }
      }
    }
    return y
  }

  package static func timesTransposed<E: KernelScalar>(
    _ dy: [E], _ n: Int, _ m: Int, _ w: [E], _ k: Int
  ) -> [E] where E.Working == E {
    // wᵀ once ([m, k]), so the GEMM reads its rows contiguously.
    let wt = transpose(w, rows: k, columns: m)
    return affine(dy, n, m, wt, k, nil)
  }

  package static func transposedTimes<E: KernelScalar>(
    _ x: [E], _ n: Int, _ k: Int, _ dy: [E], _ m: Int
  ) -> [E] where E.Working == E {
    let count = k * m
    var dw: [E] = OutputBuffer.uninitialized(count)
    dw.withUnsafeMutableBufferPointer { out in
      guard let ds = out.baseAddress.map(SharedPointer.init) else { return }
      guard n > 0 else {
        ds.base.update(repeating: 0, count: count)
        return
      }
      x.withUnsafeBufferPointer { px in
        dy.withUnsafeBufferPointer { pg in
          let xs = SharedConstPointer(px.baseAddress!)
          let gs = SharedConstPointer(pg.baseAddress!)
          // Row p of dw is Σ_r x[r][p]·dy[r]: A = xᵀ read through strides (row stride 1,
          // column stride k). Each worker owns a range of rows of dw.
          Parallel.forEachRange(k, costPerItem: 2 * n * m) { rows in
            E.gemmProduct(
              m: rows.count, n: m, k: n, xs.base + rows.lowerBound, aRowStride: 1, aColumnStride: k,
              gs.base, ldb: m, ds.base + rows.lowerBound * m, ldc: m)
          }
        }
      }
    }
    return dw
  }

  package static func columnSums<F: TensorScalar>(_ dy: [F], _ n: Int, _ m: Int) -> [F] {
    var s = [F](repeating: 0, count: m)
    dy.withUnsafeBufferPointer { pg in
      s.withUnsafeMutableBufferPointer { ps in
        for r in 0..<n {
          let gr = pg.baseAddress! + r * m
          for j in 0..<m { ps[j] += gr[j] }
        }
      }
    }
    return s
  }

  package static func transpose<F>(_ a: [F], rows: Int, columns: Int) -> [F] {
    guard rows > 0, columns > 0 else { return a }
    return [F](unsafeUninitializedCapacity: a.count) { out, count in
      a.withUnsafeBufferPointer { pa in
        for i in 0..<rows {
          for j in 0..<columns { (out.baseAddress! + j * rows + i).initialize(to: pa[i * columns + j]) }
        }
      }
      count = a.count
    }
  }
}
