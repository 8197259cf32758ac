/// Row sums and gradients when the reduced axis is not the last one and neither input is
/// broadcast. Rows are then strided by `inner`; instead of walking each row with a large
/// stride, these loops sweep the axis in the outer loop and a block of up to 512 neighbouring
/// rows in the inner loop, so every memory access is sequential.
enum InnerBlocks {
  static let block = 512

  static func sums<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, layout L: RowLayout, into out: UnsafeMutablePointer<Double>
  ) {
    let n = L.length, inner = L.inner
    let outer = L.rows / inner
    let blocks = (inner + block - 1) / block
    let A = SharedConstPointer(a), B = SharedConstPointer(b), O = SharedPointer(out)
    Parallel.forEachRange(outer * blocks, costPerItem: n * min(block, inner)) { range in
      var d = [Double](repeating: 0, count: block)
      var q1 = d, q2 = d
      for t in range {
        let o = t / blocks, i0 = (t % blocks) * block
        let w = min(block, inner - i0)
        for i in 0..<w { d[i] = 0; q1[i] = 0; q2[i] = 0 }
        for k in 0..<n {
          let off = (o * n + k) * inner + i0
          let pa = A.base + off, pb = B.base + off
          for i in 0..<w {
            let x = Double(pa[i]), y = Double(pb[i])
            d[i] += x * y
            q1[i] += x * x
            q2[i] += y * y
          }
        }
        for i in 0..<w {
          let r = o * inner + i0 + i
          O.base[3 * r] = d[i]
          O.base[3 * r + 1] = q1[i]
          O.base[3 * r + 2] = q2[i]
        }
      }
    }
  }

  static func grad<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, layout L: RowLayout, coefficients c: UnsafePointer<Double>,
    gradA: UnsafeMutablePointer<T>, gradB: UnsafeMutablePointer<T>
  ) {
    let n = L.length, inner = L.inner
    let outer = L.rows / inner
    let blocks = (inner + block - 1) / block
    let A = SharedConstPointer(a), B = SharedConstPointer(b), C = SharedConstPointer(c)
    let GA = SharedPointer(gradA), GB = SharedPointer(gradB)
    Parallel.forEachRange(outer * blocks, costPerItem: 2 * n * min(block, inner)) { range in
      for t in range {
        let o = t / blocks, i0 = (t % blocks) * block
        let w = min(block, inner - i0)
        let cr = C.base + 4 * (o * inner + i0)
        for k in 0..<n {
          let off = (o * n + k) * inner + i0
          let pa = A.base + off, pb = B.base + off
          let ga = GA.base + off, gb = GB.base + off
          for i in 0..<w {
            let x = Double(pa[i]), y = Double(pb[i])
            let ci = cr + 4 * i
            ga[i] = T(ci[0] * y - ci[1] * x)
            gb[i] = T(ci[2] * x - ci[3] * y)
          }
        }
      }
    }
  }
}
