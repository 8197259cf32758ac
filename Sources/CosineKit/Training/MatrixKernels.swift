/// The matrix products of a dense layer, on row-major buffers.
///
/// Shapes: `x` is [n, k], `w` is [k, m], `y` is [n, m]. Every loop runs along a contiguous
/// row with a scalar broadcast (`y_r += a · w_p`), which the compiler vectorizes; rows are
/// split across cores when the work is large enough. Results are computed in the storage type
/// (`Float16` in `Float`), accumulating in the order of `k` (forward) or `n` (weight gradient).
enum MatrixKernels {
  /// `y = x·w (+ b)`.
  static func affine<T: TensorScalar>(
    _ x: [T], rows n: Int, inner k: Int, _ w: [T], outer m: Int, bias: [T]?
  ) -> [T] {
    typealias D = ScalarDispatch
    if T.self == Float.self {
      let y = affine(
        D.same(x, as: Float.self), n, k, D.same(w, as: Float.self), m, bias.map { D.same($0, as: Float.self) })
      return D.same(y, as: T.self)
    }
    if T.self == Double.self {
      let y = affine(
        D.same(x, as: Double.self), n, k, D.same(w, as: Double.self), m, bias.map { D.same($0, as: Double.self) })
      return D.same(y, as: T.self)
    }
    let y = affine(D.toFloats(x), n, k, D.toFloats(w), m, bias.map { D.toFloats($0) })
    return D.toScalars(y)
  }

  /// `dx = dy·wᵀ`: [n, m] × ([k, m])ᵀ → [n, k].
  static func timesTransposed<T: TensorScalar>(_ dy: [T], rows n: Int, outer m: Int, _ w: [T], inner k: Int) -> [T] {
    ScalarDispatch.map(
      dy, w,
      float: { timesTransposed($0, n, m, $1, k) },
      double: { timesTransposed($0, n, m, $1, k) })
  }

  /// `dw = xᵀ·dy`: ([n, k])ᵀ × [n, m] → [k, m].
  static func transposedTimes<T: TensorScalar>(_ x: [T], rows n: Int, inner k: Int, _ dy: [T], outer m: Int) -> [T] {
    ScalarDispatch.map(
      x, dy,
      float: { transposedTimes($0, n, k, $1, m) },
      double: { transposedTimes($0, n, k, $1, m) })
  }

  /// Column sums of an [n, m] matrix: the bias gradient.
  static func columnSums<T: TensorScalar>(_ dy: [T], rows n: Int, columns m: Int) -> [T] {
    ScalarDispatch.map(dy, float: { columnSums($0, n, m) }, double: { columnSums($0, n, m) })
  }

  // MARK: Kernels

  static func affine<F: TensorScalar>(_ x: [F], _ n: Int, _ k: Int, _ w: [F], _ m: Int, _ b: [F]?) -> [F] {
    var y = [F](repeating: 0, count: n * m)
    guard n > 0, m > 0 else { return y }
    x.withUnsafeBufferPointer { px in
      w.withUnsafeBufferPointer { pw in
        y.withUnsafeMutableBufferPointer { py in
          let xs = SharedConstPointer(px.baseAddress ?? UnsafePointer(bitPattern: 8)!)
          let ws = SharedConstPointer(pw.baseAddress ?? UnsafePointer(bitPattern: 8)!)
          let ys = SharedPointer(py.baseAddress!)
          let bias = b.map(UncheckedBox.init)
          Parallel.forEachRange(n, costPerItem: 2 * k * m) { range in
            for r in range {
              let yr = ys.base + r * m
              if let bias { for j in 0..<m { yr[j] = bias.value[j] } }
              let xr = xs.base + r * k
              for p in 0..<k {
                let a = xr[p]
                let wp = ws.base + p * m
                for j in 0..<m { yr[j] += a * wp[j] }
              }
            }
          }
        }
      }
    }
    return y
  }

  static func timesTransposed<F: TensorScalar>(_ dy: [F], _ n: Int, _ m: Int, _ w: [F], _ k: Int) -> [F] {
    // wᵀ once ([m, k]), then dx_r = Σ_j dy[r, j] · wᵀ_j along contiguous rows.
    let wt = transpose(w, rows: k, columns: m)
    return affine(dy, n, m, wt, k, nil)
  }

  static func transposedTimes<F: TensorScalar>(_ x: [F], _ n: Int, _ k: Int, _ dy: [F], _ m: Int) -> [F] {
    var dw = [F](repeating: 0, count: k * m)
    guard k > 0, m > 0, n > 0 else { return dw }
    x.withUnsafeBufferPointer { px in
      dy.withUnsafeBufferPointer { pg in
        dw.withUnsafeMutableBufferPointer { pw in
          let xs = SharedConstPointer(px.baseAddress!)
          let gs = SharedConstPointer(pg.baseAddress!)
          let ds = SharedPointer(pw.baseAddress!)
          // Each worker owns a range of rows of dw and sweeps every sample.
          Parallel.forEachRange(k, costPerItem: 2 * n * m) { range in
            for r in 0..<n {
              let xr = xs.base + r * k
              let gr = gs.base + r * m
              for p in range {
                let a = xr[p]
                let dp = ds.base + p * m
                for j in 0..<m { dp[j] += a * gr[j] }
              }
            }
          }
        }
      }
    }
    return dw
  }

  static func columnSums<F: TensorScalar>(_ dy: [F], _ n: Int, _ m: Int) -> [F] {
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

  static func transpose<F>(_ a: [F], rows: Int, columns: Int) -> [F] {
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
