import CosineCore
import RealModule

/// The logits' gradient of a tile: the softmax of each row against its log-sum-exp, minus the
/// positive's indicator, scaled.
extension MNRLEngine {
  /// ``probabilities(_:_:_:_:_:ref:weight:upstream:)`` for a whole tile of plain rows, in C;
  /// the positives on the tile's diagonal get their −1 afterwards.
  package func plainProbabilities(
    _ kind: Kind, _ i0: Int, _ rows: Int, _ tile: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int, ref: [Double],
    f: [Double], weight: [Double], upstream u: [Double], lds: Int? = nil
  ) -> Double {
    let tc = lds ?? self.tc
    // Rows whose positive (column i of queryToDoc) lies in this tile, with its cosine.
    var diagonal: [(r: Int, c: Int, s: Double)] = []
    if kind == .queryToDoc {
      for r in 0..<rows where i0 + r >= j0 && i0 + r < j0 + cols {
        diagonal.append((r, i0 + r - j0, Double(tile[r * tc + i0 + r - j0])))
      }
    }
    var sg = ref.withUnsafeBufferPointer { pr in
      f.withUnsafeBufferPointer { pf in
        weight.withUnsafeBufferPointer { pw in
          E.softmaxRows(
            tile, lds: tc, rows: rows, cols: cols, scale: loss.scale, ref: pr.baseAddress!, f: pf.baseAddress!,
            w: pw.baseAddress!)
        }
      }
    }
    for (r, c, s) in diagonal {
      let p = Double.exp(loss.scale * s - ref[r])
      tile[r * tc + c] = E(loss.scale * (weight[r] * p - u[i0 + r]))
      sg -= u[i0 + r] * s
    }
    return sg
  }

  /// Replaces one tile row's cosines by the gradient of the loss with respect to them,
  /// `scale·(weight·softmax − upstream·[positive])` (0 where excluded), and returns the row's
  /// contribution to the scale's gradient, `Σ (weight·softmax − upstream·[positive])·cos`. The
  /// positive's −1 is applied here, so a softmax of exactly 1 (B = 1) gives a gradient of exactly 0.
  @inline(__always)
  package func probabilities(
    _ kind: Kind, _ i: Int, _ row: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int, ref: Double, weight: Double,
    upstream: Double
  ) -> Double {
    let f = weight * loss.scale
    if kind == .queryToDoc, i >= j0, i < j0 + cols {
      // The positive: its term is taken out of the loop below and put back with its −1.
      let c = i - j0
      let s = Double(row[c])
      let p = Double.exp(logit(kind, i, i, s)! - ref)
      let g = weight * p - upstream
      row[c] = .nan
      defer { row[c] = E(loss.scale * g) }
      return innerProbabilities(kind, i, row, j0, cols, ref: ref, f: f, skip: c) * weight + g * s
    }
    return innerProbabilities(kind, i, row, j0, cols, ref: ref, f: f, skip: -1) * weight
  }

  /// `Σ softmax·cos` over a tile row except column `skip`, writing `f·softmax` (0 where excluded).
  @inline(__always)
  package func innerProbabilities(
    _ kind: Kind, _ i: Int, _ row: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int, ref: Double, f: Double, skip: Int
  ) -> Double {
    var sg = 0.0
    if plain(kind) {
      let sc = loss.scale
      for c in 0..<cols {
        let s = Double(row[c])
        let p = Double.exp(sc * s - ref)
        if c != skip { sg += p * s }
        row[c] = E(f * p)
      }
      return sg
    }
    for c in 0..<cols where c != skip {
      let s = Double(row[c])
      if let l = logit(kind, i, j0 + c, s) {
        let p = Double.exp(l - ref)
        sg += p * s
        row[c] = E(f * p)
      } else {
        row[c] = 0
      }
    }
    return sg
  }
}
