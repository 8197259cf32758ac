/// The fused engine behind every row-wise cosine op and loss.
///
/// One pass over both inputs accumulates, per row, `x1·x2`, `‖x1‖²` and `‖x2‖²` (in `Double`;
/// in `Float` for `Float16` storage on the SIMD path). Cosines come from these three sums, and
/// the backward pass reuses them: one more read of the inputs and one write of the gradients.
///
/// `Double` rows whose sums of squares overflow or underflow are summed again after scaling by a
/// power of two (exact), so no finite input produces an overflow or underflow artefact.
package struct RowPairs<T: TensorScalar>: Sendable {
  package let layout: RowLayout
  package let a: Tensor<T>
  package let b: Tensor<T>
  /// Per row: dot, ‖a‖², ‖b‖², in scaled units.
  package private(set) var sums: [Double]
  /// Power-of-two scales of the rows that needed rescaling (row → (scale of a, scale of b)).
  package private(set) var scales: [Int: (Double, Double)] = [:]

  package init(_ a: Tensor<T>, _ b: Tensor<T>, axis: Int, operation: String) throws {
    layout = try RowLayout(a.shape, b.shape, axis: axis, operation: operation)
    // Per row: three Double sums, up to four backward coefficients, and one result.
    try MemoryBudget.check(
      count: layout.rows, elementSize: 7 * 8 + MemoryLayout<T>.stride,
      "\(operation) of \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) "
        + "(result \(Shape.describe(layout.outputShape)))")
    self.a = a
    self.b = b
    sums = []
    sums = computeSums()
    if T.kernels?.mayNeedRescaling ?? false { rescaleRowsThatNeedIt() }
  }

  @inline(__always)
  package func scale(ofRow r: Int) -> (Double, Double) {
    scales.isEmpty ? (1, 1) : (scales[r] ?? (1, 1))
  }

  // MARK: Forward

  private func computeSums() -> [Double] {
    let L = layout
    let rows = L.rows
    let n = L.length
    return a.scalars.withUnsafeBufferPointer { pa in
      b.scalars.withUnsafeBufferPointer { pb in
        rows == 0
          ? []
          : [Double](unsafeUninitializedCapacity: 3 * rows) { out, count in
            count = 3 * rows
            guard n > 0, let A = pa.baseAddress, let B = pb.baseAddress else {
              out.initialize(repeating: 0)
              return
            }
            let sa = SharedConstPointer(A)
            let sb = SharedConstPointer(B)
            let so = SharedPointer(out.baseAddress!)
            if L.contiguous {
              Parallel.forEachRange(rows, costPerItem: n) { range in
                RowKernels.rowSums(
                  sa.base + range.lowerBound * n, sb.base + range.lowerBound * n,
                  rows: range.count, length: n, into: so.base + 3 * range.lowerBound)
              }
            } else if L.unbroadcast {
              InnerBlocks.sums(sa.base, sb.base, layout: L, into: so.base)
            } else {
              Parallel.forEachRange(rows, costPerItem: n) { range in
                for r in range {
                  let (oa, ob) = L.bases(ofRow: r)
                  let s = StridedKernels.sums(sa.base + oa, L.axisStride.0, sb.base + ob, L.axisStride.1, n)
                  so.base[3 * r] = s.0
                  so.base[3 * r + 1] = s.1
                  so.base[3 * r + 2] = s.2
                }
              }
            }
          }
      }
    }
  }

  private mutating func rescaleRowsThatNeedIt() {
    let L = layout
    var found: [Int: (Double, Double)] = [:]
    for r in 0..<L.rows {
      let q1 = sums[3 * r + 1]
      let q2 = sums[3 * r + 2]
      guard Rescaling.needsRescale(q1) || Rescaling.needsRescale(q2) else { continue }
      let (oa, ob) = L.bases(ofRow: r)
      a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
          let A = pa.baseAddress! + oa
          let B = pb.baseAddress! + ob
          let n = L.length
          // A zero sum of squares may be an underflow, not a zero vector: look at the elements.
          let m1 = StridedKernels.maxMagnitude(A, L.axisStride.0, n)
          let m2 = StridedKernels.maxMagnitude(B, L.axisStride.1, n)
          let s1 = Rescaling.scale(forMaxMagnitude: m1)
          let s2 = Rescaling.scale(forMaxMagnitude: m2)
          guard s1 != 1 || s2 != 1 else { return }
          let s = StridedKernels.sums(A, L.axisStride.0, B, L.axisStride.1, n, scaleA: 1 / s1, scaleB: 1 / s2)
          sums[3 * r] = s.0
          sums[3 * r + 1] = s.1
          sums[3 * r + 2] = s.2
          found[r] = (s1, s2)
        }
      }
    }
    scales = found
  }

  /// Cosine of row `r` under `floor`, with the factors its gradient needs (scaled units):
  /// `∂cos/∂u1 = c·u2 − d1·u1`, `∂cos/∂u2 = c·u1 − d2·u2`.
  @inline(__always)
  package func cosine(ofRow r: Int, floor: NormFloor) -> (cos: Double, c: Double, d1: Double, d2: Double) {
    let (s1, s2) = scale(ofRow: r)
    let dot = sums[3 * r]
    let (m1, k1, sq1) = floor.effectiveNorm(sumOfSquares: sums[3 * r + 1], scale: s1)
    let (m2, k2, sq2) = floor.effectiveNorm(sumOfSquares: sums[3 * r + 2], scale: s2)
    // One square root of the product where neither norm is a constant floor: fewer roundings,
    // and cos(x, x) is exactly 1 (sqrt(fl(q²)) = q). Two roots where the product leaves the range.
    var den: Double
    if let sq1, let sq2, case let p = sq1 * sq2, p.isFinite, p >= .leastNormalMagnitude {
      den = p.squareRoot()
    } else {
      den = m1 * m2
    }
    var cos: Double
    if den.isInfinite && m1.isFinite && m2.isFinite {
      cos = dot / m1 / m2
      den = .infinity
    } else {
      cos = dot / den
    }
    if cos > 1 { cos = 1 } else if cos < -1 { cos = -1 }
    let c = den.isInfinite ? (1 / m1) / m2 : 1 / den
    return (cos, c, cos * k1 / m1, cos * k2 / m2)
  }

  // MARK: Backward

  /// Backward coefficients for `Σ_r w(r)·cos_r` under `floor`, in the layout ``backward(coefficients:)``
  /// takes: every cosine-based op and loss differs only in its per-row weight `w(r)`.
  package func cosineCoefficients(floor: NormFloor, weight w: (Int) -> Double) -> [Double] {
    var c = [Double](repeating: 0, count: 4 * layout.rows)
    for r in 0..<layout.rows {
      let k = cosine(ofRow: r, floor: floor)
      let g = w(r)
      c[4 * r] = g * k.c
      c[4 * r + 1] = g * k.d1
      c[4 * r + 2] = g * k.c
      c[4 * r + 3] = g * k.d2
    }
    return c
  }

  /// Gradients of `Σ_r g[r]·f(cos_r)` given per-row coefficients
  /// `coef[4r ..< 4r+4] = (ca, da, cb, db)` with `∂/∂u1 = ca·u2 − da·u1`, `∂/∂u2 = cb·u1 − db·u2`.
  /// Returns gradients in the shapes of `a` and `b`.
  package func backward(coefficients coef: [Double]) -> (Tensor<T>, Tensor<T>) {
    var ga: [T] = []
    var gb: [T] = []
    backward(coefficients: coef, into: &ga, &gb)
    return (Tensor(uncheckedShape: a.shape, scalars: ga), Tensor(uncheckedShape: b.shape, scalars: gb))
  }

  /// As ``backward(coefficients:)``, writing into `ga` and `gb`, whose storage is reused when
  /// they already have the inputs' element counts (a training loop then allocates nothing).
  package func backward(coefficients coef: [Double], into ga: inout [T], _ gb: inout [T]) {
    backwardUnsaturated(coefficients: coef, into: &ga, &gb)
    if T.kernels?.saturatesGradients ?? false {
      Self.saturate(&ga)
      Self.saturate(&gb)
    }
  }

  /// Float16 gradients: a finite gradient beyond the half range (1/eps for a zero row is 1e8)
  /// becomes ±65504, the largest finite half, instead of ±infinity. NaN stays NaN.
  package static func saturate(_ g: inout [T]) {
    let top = T(Float16.greatestFiniteMagnitude)
    for i in g.indices where g[i].isInfinite { g[i] = g[i] > 0 ? top : -top }
  }

  private func backwardUnsaturated(coefficients coef: [Double], into ga: inout [T], _ gb: inout [T]) {
    let L = layout
    let rows = L.rows
    let n = L.length
    guard L.unbroadcast else {
      let (da, db) = broadcastBackward(coefficients: coef)
      ga = da.map { T($0) }
      gb = db.map { T($0) }
      return
    }
    // Every element is written exactly once below, so fresh outputs start uninitialized.
    OutputBuffer.prepare(&ga, count: a.count)
    OutputBuffer.prepare(&gb, count: b.count)
    guard rows > 0, n > 0 else { return }
    a.scalars.withUnsafeBufferPointer { pa in
      b.scalars.withUnsafeBufferPointer { pb in
        ga.withUnsafeMutableBufferPointer { oa in
          gb.withUnsafeMutableBufferPointer { ob in
            coef.withUnsafeBufferPointer { pc in
              let A = SharedConstPointer(pa.baseAddress!)
              let B = SharedConstPointer(pb.baseAddress!)
              let GA = SharedPointer(oa.baseAddress!)
              let GB = SharedPointer(ob.baseAddress!)
              let C = SharedConstPointer(pc.baseAddress!)
              if L.contiguous {
                Parallel.forEachRange(rows, costPerItem: 2 * n) { range in
                  let o = range.lowerBound * n
                  RowKernels.rowGrad(
                    A.base + o, B.base + o, rows: range.count, length: n,
                    coefficients: C.base + 4 * range.lowerBound, gradA: GA.base + o, gradB: GB.base + o)
                }
              } else {
                InnerBlocks.grad(A.base, B.base, layout: L, coefficients: C.base, gradA: GA.base, gradB: GB.base)
              }
              // Rescaled rows: redo them exactly in scaled units.
              for (r, (s1, s2)) in scales {
                let (oa, ob) = L.bases(ofRow: r)
                Self.scaledRowGrad(
                  A.base + oa, L.axisStride.0, B.base + ob, L.axisStride.1, n, s1, s2, C.base + 4 * r,
                  accumulate: false, GA.base + oa, GB.base + ob)
              }
            }
          }
        }
      }
    }
  }

  /// Broadcast inputs: several rows touch the same input element, so gradients are summed in
  /// `Double`, serially.
  private func broadcastBackward(coefficients coef: [Double]) -> ([Double], [Double]) {
    let L = layout
    var ga = [Double](repeating: 0, count: a.count)
    var gb = [Double](repeating: 0, count: b.count)
    guard L.rows > 0, L.length > 0 else { return (ga, gb) }
    a.scalars.withUnsafeBufferPointer { pa in
      b.scalars.withUnsafeBufferPointer { pb in
        ga.withUnsafeMutableBufferPointer { oa in
          gb.withUnsafeMutableBufferPointer { ob in
            coef.withUnsafeBufferPointer { pc in
              for r in 0..<L.rows {
                let (ra, rb) = L.bases(ofRow: r)
                let (s1, s2) = scale(ofRow: r)
                Self.scaledRowGrad(
                  pa.baseAddress! + ra, L.axisStride.0, pb.baseAddress! + rb, L.axisStride.1, L.length, s1, s2,
                  pc.baseAddress! + 4 * r, accumulate: true, oa.baseAddress! + ra, ob.baseAddress! + rb)
              }
            }
          }
        }
      }
    }
    return (ga, gb)
  }

  /// One row's gradient in scaled units: `∂/∂x1 = (ca·x2/s2 − da·x1/s1)/s1`, and symmetrically.
  @inline(__always)
  package static func scaledRowGrad<G: BinaryFloatingPoint>(
    _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int, _ n: Int,
    _ s1: Double, _ s2: Double, _ c: UnsafePointer<Double>, accumulate: Bool,
    _ ga: UnsafeMutablePointer<G>, _ gb: UnsafeMutablePointer<G>
  ) {
    let i1 = 1 / s1
    let i2 = 1 / s2
    let ca = c[0]
    let da = c[1]
    let cb = c[2]
    let db = c[3]
    var ia = 0
    var ib = 0
    for _ in 0..<n {
      let u1 = Double(a[ia]) * i1
      let u2 = Double(b[ib]) * i2
      let g1 = (ca * u2 - da * u1) * i1
      let g2 = (cb * u1 - db * u2) * i2
      if accumulate {
        ga[ia] += G(g1)
        gb[ib] += G(g2)
      } else {
        ga[ia] = G(g1)
        gb[ib] = G(g2)
      }
      ia &+= sa
      ib &+= sb
    }
  }
}
