import CCosineKernels

/// Normalizing rows while packing them into panels.
///
/// Row `r` is packed as `(x[r][k] · pre[r]) · post[r]`, evaluated in `Double` and rounded once
/// to the kernel's element type, where `post = 1 / max(‖x_r‖, eps)` (in `pre`-scaled units).
/// `‖x_r‖²` is accumulated in `Double` in a fixed order, so the same row always packs to the
/// same bits. `Float` and `Float16` sums cannot overflow or underflow in `Double`; a `Double`
/// row whose sum of squares leaves [2^-960, 2^960] is rescaled by the power of two `1/pre`
/// (see <doc:NumericalConventions>). A zero row packs to zeros (its norm is floored at eps),
/// also when eps is 0 (0/0 is defined as 0 there).
package enum Packing {
  /// Packs `rows` rows of `x` (row-major, `dim` columns) into `dest`, which has room for
  /// `ceil(rows / width)` panels. `E` must be `T`'s working type (``KernelScalar/Working``).
  /// Works through blocks of whole panels of about 256 KiB, so each row is read from memory
  /// once: its sum of squares and its packing find it in cache.
  package static func pack<T: TensorScalar, E: KernelScalar>(
    _ x: UnsafePointer<T>, rows: Int, dim: Int, eps: Double, width: Int, into dest: UnsafeMutablePointer<E>
  ) where E.Working == E {
    guard rows > 0 else { return }
    guard T.kernels != nil else {
      // A scalar type outside the library: its rows in Double, packed by Double's kernels.
      let xs = (0..<rows * dim).map { Double(x[$0]) }
      xs.withUnsafeBufferPointer { pack($0.baseAddress!, rows: rows, dim: dim, eps: eps, width: width, into: dest) }
      return
    }
    let panelBytes = Swift.max(1, width * dim * MemoryLayout<T>.stride)
    let block = width * Swift.max(1, (256 << 10) / panelBytes)
    var sums = [Double](repeating: 0, count: Swift.min(rows, block))
    var post = sums
    var pre = sums
    var r0 = 0
    while r0 < rows {
      let n = Swift.min(block, rows - r0)
      sums.withUnsafeMutableBufferPointer { s in
        post.withUnsafeMutableBufferPointer { p in
          pre.withUnsafeMutableBufferPointer { q in
            packBlock(
              x + r0 * dim, rows: n, dim: dim, eps: eps, width: width, into: dest + r0 * dim,
              sums: s.baseAddress!, pre: q.baseAddress!, post: p.baseAddress!)
          }
        }
      }
      r0 += n
    }
  }

  /// One block of ``pack(_:rows:dim:eps:width:into:)``, with scratch for three numbers per row.
  private static func packBlock<T: TensorScalar, E: KernelScalar>(
    _ x: UnsafePointer<T>, rows: Int, dim: Int, eps: Double, width: Int, into dest: UnsafeMutablePointer<E>,
    sums: UnsafeMutablePointer<Double>, pre: UnsafeMutablePointer<Double>, post: UnsafeMutablePointer<Double>
  ) where E.Working == E {
    guard let kernels = T.kernels else { preconditionFailure("pack converts other types first") }
    kernels.sumsOfSquares(x, rows: rows, dim: dim, into: sums)
    // Double rows whose sum of squares left the safe range: rescale by a power of two.
    var rescaled = false
    if kernels.mayNeedRescaling {
      for i in 0..<rows {
        pre[i] = 1
        guard Rescaling.needsRescale(sums[i]) else { continue }
        let row = x + i * dim
        var m = 0.0
        for k in 0..<dim {
          let v = Swift.abs(Double(row[k]))
          if !(v <= m) { m = v }  // NaN wins
        }
        let s = Rescaling.scale(forMaxMagnitude: m)
        guard s != 1 else { continue }
        let inv = 1 / s
        var q = 0.0
        for k in 0..<dim {
          let v = Double(row[k]) * inv
          q += v * v
        }
        sums[i] = q
        pre[i] = inv
        rescaled = true
      }
    }
    let floor = NormFloor.clamp(eps)
    for i in 0..<rows {
      let scale = rescaled ? 1 / pre[i] : 1
      post[i] = 1 / floor.effectiveNorm(sumOfSquares: sums[i], scale: scale).m
    }
    let preOrNil: UnsafePointer<Double>? = rescaled ? UnsafePointer(pre) : nil
    packRows(kernels, x, rows: rows, dim: dim, pre: preOrNil, post: post, width: width, into: dest)
  }

  /// `K.pack` with `dest` in `K`'s working type, which is `E` (checked).
  private static func packRows<K: KernelScalar, E: KernelScalar>(
    _: K.Type, _ x: UnsafeRawPointer, rows: Int, dim: Int, pre: UnsafePointer<Double>?, post: UnsafePointer<Double>,
    width: Int, into dest: UnsafeMutablePointer<E>
  ) where E.Working == E {
    precondition(K.Working.self == E.self, "packing precision mismatch")
    let out = UnsafeMutableRawPointer(dest).assumingMemoryBound(to: K.Working.self)
    K.pack(x, rows: rows, dim: dim, pre: pre, post: post, width: width, into: out)
  }

  /// Packs all rows of `x` into new panels, splitting the work over threads by panels.
  package static func packed<T: TensorScalar, E: KernelScalar>(
    _ x: UnsafePointer<T>?, rows: Int, dim: Int, eps: Double, width: Int, as _: E.Type = E.self
  ) throws -> PackedPanels<E> where E.Working == E {
    let panels = try PackedPanels<E>(rows: rows, dim: dim, width: width)
    packParallel(x, rows: rows, dim: dim, eps: eps, into: panels, firstPanel: 0)
    return panels
  }

  /// Packs `rows` rows of `x` into `panels` from panel `firstPanel` on, on all cores.
  package static func packParallel<T: TensorScalar, E: KernelScalar>(
    _ x: UnsafePointer<T>?, rows: Int, dim: Int, eps: Double, into panels: PackedPanels<E>, firstPanel: Int
  ) where E.Working == E {
    precondition(T.packedKernels.workingType == E.self, "packing precision mismatch")
    guard rows > 0 else { return }
    let width = panels.width
    let count = (rows + width - 1) / width
    guard let x, dim > 0 else { return }  // rows of length 0: nothing to store
    let src = SharedConstPointer(x)
    Parallel.forEachChunk(count, costPerItem: width * dim * 4) { _, range in
      let r0 = range.lowerBound * width
      let r1 = Swift.min(rows, range.upperBound * width)
      pack(
        src.base + r0 * dim, rows: r1 - r0, dim: dim, eps: eps, width: width,
        into: panels.panel(firstPanel + range.lowerBound))
    }
  }
}
