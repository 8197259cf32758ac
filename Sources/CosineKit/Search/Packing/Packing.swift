import CCosineGEMM

/// Normalizing rows while packing them into panels.
///
/// Row `r` is packed as `(x[r][k] · pre[r]) · post[r]`, evaluated in `Double` and rounded once
/// to the kernel's element type, where `post = 1 / max(‖x_r‖, eps)` (in `pre`-scaled units).
/// `‖x_r‖²` is accumulated in `Double` in a fixed order, so the same row always packs to the
/// same bits. `Float` and `Float16` sums cannot overflow or underflow in `Double`; a `Double`
/// row whose sum of squares leaves [2^-960, 2^960] is rescaled by the power of two `1/pre`
/// (see <doc:NumericalConventions>). A zero row packs to zeros (its norm is floored at eps),
/// or to NaN when eps is 0, as the formula says.
enum Packing {
  /// Packs `rows` rows of `x` (row-major, `dim` columns) into `dest`, which has room for
  /// `ceil(rows / width)` panels. `E` must be `Double` for `Double` input and `Float` otherwise.
  static func pack<T: TensorScalar, E: KernelElement>(
    _ x: UnsafePointer<T>, rows: Int, dim: Int, eps: Double, width: Int, into dest: UnsafeMutablePointer<E>
  ) {
    guard rows > 0 else { return }
    var sums = [Double](repeating: 0, count: rows)
    sums.withUnsafeMutableBufferPointer { s in
      let out = s.baseAddress!
      if T.self == Float.self {
        cg_sumsq_f32(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), Int64(rows), Int64(dim), out)
      } else if T.self == Double.self {
        cg_sumsq_f64(UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), Int64(rows), Int64(dim), out)
      } else {
        cg_sumsq_f16(UnsafeRawPointer(x).assumingMemoryBound(to: UInt16.self), Int64(rows), Int64(dim), out)
      }
    }
    var pre: [Double]? = nil
    var scale = [Double](repeating: 1, count: 0)
    if T.self == Double.self {
      let xd = UnsafeRawPointer(x).assumingMemoryBound(to: Double.self)
      for r in 0..<rows where Rescaling.needsRescale(sums[r]) {
        let row = xd + r * dim
        var m = 0.0
        for k in 0..<dim {
          let v = Swift.abs(row[k])
          if !(v <= m) { m = v }
        }
        let s = Rescaling.scale(forMaxMagnitude: m)
        guard s != 1 else { continue }
        if pre == nil { pre = [Double](repeating: 1, count: rows) }
        if scale.isEmpty { scale = [Double](repeating: 1, count: rows) }
        let inv = 1 / s
        var q = 0.0
        for k in 0..<dim {
          let v = row[k] * inv
          q += v * v
        }
        sums[r] = q
        pre![r] = inv
        scale[r] = s
      }
    }
    let floor = NormFloor.clamp(eps)
    var post = [Double](repeating: 0, count: rows)
    for r in 0..<rows {
      let s = scale.isEmpty ? 1 : scale[r]
      post[r] = 1 / floor.effectiveNorm(sumOfSquares: sums[r], scale: s).m
    }
    post.withUnsafeBufferPointer { pp in
      let preCall: (UnsafePointer<Double>?) -> Void = { pr in
        if T.self == Float.self {
          cg_pack_f32(
            UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), Int64(rows), Int64(dim), pr, pp.baseAddress!,
            Int64(width), UnsafeMutableRawPointer(dest).assumingMemoryBound(to: Float.self))
        } else if T.self == Double.self {
          cg_pack_f64(
            UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), Int64(rows), Int64(dim), pr, pp.baseAddress!,
            Int64(width), UnsafeMutableRawPointer(dest).assumingMemoryBound(to: Double.self))
        } else {
          cg_pack_f16(
            UnsafeRawPointer(x).assumingMemoryBound(to: UInt16.self), Int64(rows), Int64(dim), pr, pp.baseAddress!,
            Int64(width), UnsafeMutableRawPointer(dest).assumingMemoryBound(to: Float.self))
        }
      }
      if let pre {
        pre.withUnsafeBufferPointer { preCall($0.baseAddress!) }
      } else {
        preCall(nil)
      }
    }
  }

  /// Packs all rows of `x` into new panels, splitting the work over threads by panels.
  static func packed<T: TensorScalar, E: KernelElement>(
    _ x: UnsafePointer<T>?, rows: Int, dim: Int, eps: Double, width: Int, as _: E.Type = E.self
  ) throws -> PackedPanels<E> {
    let panels = try PackedPanels<E>(rows: rows, dim: dim, width: width)
    packParallel(x, rows: rows, dim: dim, eps: eps, into: panels, firstPanel: 0)
    return panels
  }

  /// Packs `rows` rows of `x` into `panels` from panel `firstPanel` on, on all cores.
  static func packParallel<T: TensorScalar, E: KernelElement>(
    _ x: UnsafePointer<T>?, rows: Int, dim: Int, eps: Double, into panels: PackedPanels<E>, firstPanel: Int
  ) {
    precondition((T.self == Double.self) == (E.self == Double.self), "packing precision mismatch")
    guard rows > 0 else { return }
    let width = panels.width
    let count = (rows + width - 1) / width
    guard let x, dim > 0 else { return }  // rows of length 0: nothing to store
    let src = SharedConstPointer(x)
    SearchParallel.forEachChunk(count, costPerItem: width * dim * 4) { _, range in
      let r0 = range.lowerBound * width
      let r1 = Swift.min(rows, range.upperBound * width)
      pack(src.base + r0 * dim, rows: r1 - r0, dim: dim, eps: eps, width: width, into: panels.panel(firstPanel + range.lowerBound))
    }
  }
}
