import CosineCore
import RealModule

/// The backward passes: the score tiles recomputed, turned into the logits' gradient and
/// multiplied into both sides' gradients, then the normalizations' backward.
extension MNRLEngine {

  /// The gradients for upstream `g` (the value's shape).
  package func gradients(_ g: Tensor<T>) throws -> BatchLossGradients<T> {
    let u = try BatchInputs.upstream(g, reduction: loss.reduction, count: b)
    let nd = passes.count
    let w = joint ? 1.0 : 1.0 / Double(nd)
    var accA = [E](repeating: 0, count: b * d)
    var accD = [E](repeating: 0, count: ndocs * d)
    var scaleGrad = 0.0
    let threads = CosineKitThreads.effectiveCount
    let privateBytes = threads * (b + ndocs) * d * MemoryLayout<E>.stride
    var byRows = rowParallel && privateBytes <= loss.privateAccumulatorLimit
    if let fused, loss.reduction != .none {
      // Linear in the (scalar) upstream gradient: scale the unit gradients.
      let gv = Double(g.scalars[0])
      accA = fused.accA
      accD = fused.accD
      if gv != 1 {
        let ge = E(gv)
        for k in accA.indices { accA[k] *= ge }
        for k in accD.indices { accD[k] *= ge }
      }
      scaleGrad = fused.scale * gv
      byRows = true
    } else if byRows {
      scaleGrad = backwardByRows(u: u, weight: w, threads: threads, accA: &accA, accD: &accD)
    }
    for i0 in stride(from: 0, to: byRows ? 0 : b, by: tq) {
      let rows = Swift.min(tq, b - i0)
      for (pi, pass) in passes.enumerated() {
        let ncols = columnCount(pass)
        let chunks = (ncols + tc - 1) / tc
        let parts = Parallel.chunkCount(chunks, costPerItem: rows * tc * Swift.max(1, d))
        var priv = [E](repeating: 0, count: parts * rows * d)
        var sg = [Double](repeating: 0, count: parts)
        // Per row: the weight of its softmax and the log-sum-exp it is relative to.
        let coef = (0..<rows).map { u[i0 + $0] * w }
        let f = coef.map { $0 * loss.scale }
        let ref = (0..<rows).map { joint ? logZ[i0 + $0] : lse[pi * b + i0 + $0] }
        let queryValues = pass.anchorRows ? a.values : docs.values
        let columnValues = pass.docColumns ? docs.values : a.values
        let candidateIsDocs = pass.docColumns
        priv.withUnsafeMutableBufferPointer { pq in
          sg.withUnsafeMutableBufferPointer { psg in
            accA.withUnsafeMutableBufferPointer { pa in
              accD.withUnsafeMutableBufferPointer { pdoc in
                queryValues.withUnsafeBufferPointer { qv in
                  columnValues.withUnsafeBufferPointer { cv in
                    let privQ = SharedPointer(pq.baseAddress!)
                    let sgs = SharedPointer(psg.baseAddress!)
                    let accC = SharedPointer(candidateIsDocs ? pdoc.baseAddress! : pa.baseAddress!)
                    let q = SharedConstPointer(qv.baseAddress!)
                    let cvals = SharedConstPointer(cv.baseAddress!)
                    Parallel.run(chunks, chunks: parts) { t, range in
                      let tile = UnsafeMutablePointer<E>.allocate(capacity: tq * tc)
                      defer { tile.deallocate() }
                      var sgLocal = 0.0
                      for c in range {
                        let j0 = c * tc
                        let cols = Swift.min(tc, ncols - j0)
                        score(pass, i0, rows, j0, cols, into: tile)
                        // dQ̂ += G·Ĉ (private to the thread), dĈ += Gᵀ·Q̂ (its columns, owned by it).
                        sgLocal += backpropagate(
                          pass.kind, i0, rows, j0, cols, tile: tile, lds: tc, ref: ref, f: f, weight: coef, upstream: u,
                          queries: q.base + i0 * d, columns: cvals.base + j0 * d,
                          queryGradient: privQ.base + t * rows * d, columnGradient: accC.base + j0 * d)
                      }
                      sgs.base[t] = sgLocal
                    }
                  }
                }
              }
            }
          }
        }
        scaleGrad += sg.reduce(0, +)
        // Merge the private row gradients into the rows' accumulator.
        for t in 0..<parts {
          for r in 0..<rows {
            for k in 0..<d {
              let v = priv[(t * rows + r) * d + k]
              if pass.anchorRows { accA[(i0 + r) * d + k] += v } else { accD[(i0 + r) * d + k] += v }
            }
          }
        }
      }
    }
    // The normalizations' backward, rows split over the threads.
    var gA = [T](repeating: 0, count: b * d)
    var gD = [T](repeating: 0, count: ndocs * d)
    let parts = Parallel.chunkCount(ndocs, costPerItem: 8 * Swift.max(1, d))
    anchorsRaw.withUnsafeBufferPointer { xa in
      docsRaw.withUnsafeBufferPointer { xd in
        gA.withUnsafeMutableBufferPointer { oa in
          gD.withUnsafeMutableBufferPointer { od in
            accA.withUnsafeBufferPointer { ga in
              accD.withUnsafeBufferPointer { gd in
                Parallel.run(ndocs, chunks: parts) { _, range in
                  var rowA = [Double](repeating: 0, count: d)
                  var rowP = [Double](repeating: 0, count: d)
                  for i in range {
                    for k in 0..<d {
                      rowA[k] = i < b ? Double(ga[i * d + k]) : 0
                      rowP[k] = Double(gd[i * d + k])
                    }
                    rowP.withUnsafeBufferPointer { docs.backward(xd, row: i, gradient: $0, into: od) }
                    if i < b { rowA.withUnsafeBufferPointer { a.backward(xa, row: i, gradient: $0, into: oa) } }
                  }
                }
              }
            }
          }
        }
      }
    }
    let first = Tensor<T>(uncheckedShape: [b, d], scalars: gA)
    let second = Tensor<T>(uncheckedShape: positivesShape, scalars: Array(gD[0..<(b * d)]))
    let negatives = negativesShape.map { Tensor<T>(uncheckedShape: $0, scalars: Array(gD[(b * d)...])) }
    return BatchLossGradients(first: first, second: second, negatives: negatives, scale: scaleGrad)
  }

  /// The backward pass with whole tiles of rows per thread, each thread accumulating every
  /// gradient into its own buffers (summed at the end): one split for the whole pass.
  /// Returns the scale's gradient.
  func backwardByRows(
    u: [Double], weight w: Double, threads: Int, accA: inout [E], accD: inout [E]
  ) -> Double {
    let tiles = (b + tq - 1) / tq
    let sizeA = b * d
    let sizeD = ndocs * d
    var priv = [E](repeating: 0, count: threads * (sizeA + sizeD))
    var sg = [Double](repeating: 0, count: threads)
    priv.withUnsafeMutableBufferPointer { pbuf in
      sg.withUnsafeMutableBufferPointer { sbuf in
        a.values.withUnsafeBufferPointer { av in
          docs.values.withUnsafeBufferPointer { dv in
            let acc = SharedPointer(pbuf.baseAddress!)
            let sgs = SharedPointer(sbuf.baseAddress!)
            let aval = SharedConstPointer(av.baseAddress!)
            let dval = SharedConstPointer(dv.baseAddress!)
            Parallel.run(tiles, chunks: threads) { t, range in
              let myA = acc.base + t * (sizeA + sizeD)
              let myD = myA + sizeA
              let tile = UnsafeMutablePointer<E>.allocate(capacity: tq * tc)
              defer { tile.deallocate() }
              var sgLocal = 0.0
              for ti in range {
                let i0 = ti * tq
                let rows = Swift.min(tq, b - i0)
                let coef = (0..<rows).map { u[i0 + $0] * w }
                let f = coef.map { $0 * loss.scale }
                for (pi, pass) in passes.enumerated() {
                  let ref = (0..<rows).map { joint ? logZ[i0 + $0] : lse[pi * b + i0 + $0] }
                  let ncols = columnCount(pass)
                  let q = pass.anchorRows ? aval.base : dval.base
                  let cvals = pass.docColumns ? dval.base : aval.base
                  let accQ = pass.anchorRows ? myA : myD
                  let accC = pass.docColumns ? myD : myA
                  for j0 in stride(from: 0, to: ncols, by: tc) {
                    let cols = Swift.min(tc, ncols - j0)
                    score(pass, i0, rows, j0, cols, into: tile)
                    sgLocal += backpropagate(
                      pass.kind, i0, rows, j0, cols, tile: tile, lds: tc, ref: ref, f: f, weight: coef, upstream: u,
                      queries: q + i0 * d, columns: cvals + j0 * d, queryGradient: accQ + i0 * d,
                      columnGradient: accC + j0 * d)
                  }
                }
              }
              sgs.base[t] = sgLocal
            }
          }
        }
      }
    }
    for t in 0..<threads {
      let base = t * (sizeA + sizeD)
      for k in 0..<sizeA { accA[k] += priv[base + k] }
      for k in 0..<sizeD { accD[k] += priv[base + sizeA + k] }
    }
    return sg.reduce(0, +)
  }
}
