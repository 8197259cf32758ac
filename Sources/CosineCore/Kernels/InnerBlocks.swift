import CCosineKernels
import RealModule

/// Row sums and gradients when the reduced axis is not the last one and neither input is
/// broadcast. Rows are then strided by `inner`; instead of walking each row with a large
/// stride, these loops sweep the axis in the outer loop and a block of up to ``block`` (4096)
/// neighbouring rows in the inner loop, so every memory access is sequential and the per-row
/// accumulators (three or four `Double`s a row, 96–128 KiB a block) stay in L2. Each thread
/// allocates its accumulators once.
package enum InnerBlocks {
  package static let block = 4096

  package static func sums<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, layout L: RowLayout, into out: UnsafeMutablePointer<Double>
  ) {
    let n = L.length
    let inner = L.inner
    let outer = L.rows / inner
    let blocks = (inner + block - 1) / block
    let A = SharedConstPointer(a)
    let B = SharedConstPointer(b)
    let O = SharedPointer(out)
    Parallel.forEachRange(outer * blocks, costPerItem: n * min(block, inner)) { range in
      let kernels = T.kernels
      let acc = UnsafeMutablePointer<Double>.allocate(capacity: 3 * block)
      defer { acc.deallocate() }
      let d = acc
      let q1 = acc + block
      let q2 = acc + 2 * block
      for t in range {
        let o = t / blocks
        let i0 = (t % blocks) * block
        let w = min(block, inner - i0)
        acc.initialize(repeating: 0, count: 3 * block)
        var off = o * n * inner + i0
        for _ in 0..<n {
          let pa = A.base + off
          let pb = B.base + off
          if let k = kernels {
            k.columnSums(pa, pb, width: w, dot: d, q1: q1, q2: q2)
          } else {
            PortableKernels.columnSums(pa, pb, w, d, q1, q2)
          }
          off &+= inner
        }
        let r0 = o * inner + i0
        for i in 0..<w {
          O.base[3 * (r0 + i)] = d[i]
          O.base[3 * (r0 + i) + 1] = q1[i]
          O.base[3 * (r0 + i) + 2] = q2[i]
        }
      }
    }
  }

  package static func grad<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, layout L: RowLayout, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutablePointer<T>, gradB: UnsafeMutablePointer<T>
  ) {
    let n = L.length
    let inner = L.inner
    let outer = L.rows / inner
    let blocks = (inner + block - 1) / block
    let A = SharedConstPointer(a)
    let B = SharedConstPointer(b)
    let C = SharedConstPointer(c)
    let GA = SharedPointer(gradA)
    let GB = SharedPointer(gradB)
    Parallel.forEachRange(outer * blocks, costPerItem: 2 * n * min(block, inner)) { range in
      // The block's coefficients, de-interleaved so the inner loop reads them sequentially.
      let kernels = T.kernels
      let coef = UnsafeMutablePointer<Double>.allocate(capacity: 4 * block)
      defer { coef.deallocate() }
      let ca = coef
      let da = coef + block
      let cb = coef + 2 * block
      let db = coef + 3 * block
      for t in range {
        let o = t / blocks
        let i0 = (t % blocks) * block
        let w = min(block, inner - i0)
        let cr = C.base + 4 * (o * inner + i0)
        for i in 0..<w {
          ca[i] = cr[4 * i]
          da[i] = cr[4 * i + 1]
          cb[i] = cr[4 * i + 2]
          db[i] = cr[4 * i + 3]
        }
        var off = o * n * inner + i0
        for _ in 0..<n {
          let pa = A.base + off
          let pb = B.base + off
          let ga = GA.base + off
          let gb = GB.base + off
          if let k = kernels {
            k.columnGrad(pa, pb, width: w, ca: ca, da: da, cb: cb, db: db, gradA: ga, gradB: gb)
          } else {
            PortableKernels.columnGrad(pa, pb, w, ca, da, cb, db, ga, gb)
          }
          off &+= inner
        }
      }
    }
  }
}
