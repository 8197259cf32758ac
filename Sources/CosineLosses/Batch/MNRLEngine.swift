import CosineCore
import RealModule

/// The streamed evaluation of ``MultipleNegativesRankingLoss``: the forward pass keeps per-row
/// log-sum-exps, the pullback recomputes the score tiles and accumulates gradients with GEMMs.
package final class MNRLEngine<T: TensorScalar, E: LossKernelScalar>: @unchecked Sendable where E.Working == E {
  /// Which rows score against which, and what is excluded or penalized.
  package enum Kind { case queryToDoc, queryToQuery, docToQuery, docToDoc }
  package struct Pass {
    package let kind: Kind
    /// The anchors (true) or the positives (false) are the tile's rows.
    package var anchorRows: Bool { kind == .queryToDoc || kind == .queryToQuery }
    /// The documents (true) or the anchors (false) are the tile's columns.
    package var docColumns: Bool { kind == .queryToDoc || kind == .docToDoc }
  }

  package let loss: MultipleNegativesRankingLoss
  package let b: Int, d: Int, blocks: Int
  package let anchorsRaw: [T], docsRaw: [T]
  package let positivesShape: [Int], negativesShape: [Int]?
  package let a: NormalizedRows<E>, docs: NormalizedRows<E>
  package let passes: [Pass]
  package let aw: Int, bw: Int, tq: Int, tc: Int
  package let anchorQueries: PackedPanels<E>, positiveQueries: PackedPanels<E>?
  package let docColumns: PackedPanels<E>, anchorColumns: PackedPanels<E>?
  /// Per pass and row: the log-sum-exp of that direction's logits.
  package internal(set) var lse: [Double] = []
  /// Per row: the joint log-sum-exp (joint mode) or the mean of the directions' (per direction).
  package internal(set) var logZ: [Double] = []
  /// Per row: the positive cosine (the same bits as the tile's).
  package internal(set) var positive: [Double] = []
  package internal(set) var value: Tensor<T> = Tensor(scalar: 0)
  /// The gradients with respect to the normalized anchors and documents, and the scale's, for
  /// an upstream gradient of 1, when the forward pass computed them (see ``fusedEligible``).
  var fused: (accA: [E], accD: [E], scale: Double)?

  package var ndocs: Int { b * (1 + blocks) }
  package var joint: Bool { loss.partitionMode == .joint }
  package var alpha: Double { loss.hardnessMode == nil ? 0 : loss.hardnessStrength }

  package init(
    _ loss: MultipleNegativesRankingLoss, _ anchors: Tensor<T>, _ positives: Tensor<T>, _ negatives: Tensor<T>?,
    blocks: Int, gradients: Bool = false
  ) throws {
    self.loss = loss
    b = anchors.shape[0]
    d = anchors.shape[1]
    self.blocks = blocks
    anchorsRaw = anchors.scalars
    if let negatives, blocks > 0 {
      var all = positives.scalars
      all.reserveCapacity(positives.count + negatives.count)
      all += negatives.scalars
      docsRaw = all
    } else {
      docsRaw = positives.scalars
    }
    positivesShape = positives.shape
    negativesShape = negatives?.shape
    let (bb, dd, nd) = (b, d, b * (1 + blocks))
    a = anchorsRaw.withUnsafeBufferPointer { NormalizedRows($0, rows: bb, dim: dd, eps: 1e-12) }
    docs = docsRaw.withUnsafeBufferPointer { NormalizedRows($0, rows: nd, dim: dd, eps: 1e-12) }
    passes = loss.directions.map {
      switch $0 {
      case .queryToDoc: Pass(kind: .queryToDoc)
      case .queryToQuery: Pass(kind: .queryToQuery)
      case .docToQuery: Pass(kind: .docToQuery)
      case .docToDoc: Pass(kind: .docToDoc)
      }
    }
    bw = E.preferredPanelWidth
    aw = E.preferredQueryWidth(panelWidth: bw)
    // Tiles: whole register blocks and panels, no larger than the data.
    let maxRows = (b + aw - 1) / aw * aw
    let maxCols = (Swift.max(nd, b) + bw - 1) / bw * bw
    tq = Swift.max(aw, Swift.min(maxRows, loss.tileRows / aw * aw))
    tc = Swift.max(bw, Swift.min(maxCols, loss.tileColumns / bw * bw))
    let needPositiveRows = passes.contains { !$0.anchorRows }
    let needAnchorColumns = passes.contains { !$0.docColumns }
    anchorQueries = try Self.pack(a.values, rows: b, dim: d, width: aw)
    positiveQueries = needPositiveRows ? try Self.pack(docs.values, rows: b, dim: d, width: aw) : nil
    docColumns = try Self.pack(docs.values, rows: nd, dim: d, width: bw)
    anchorColumns = needAnchorColumns ? try Self.pack(a.values, rows: b, dim: d, width: bw) : nil
    if gradients && fusedEligible { forwardWithGradients() } else { forward() }
  }

  package static func pack(_ values: [E], rows: Int, dim: Int, width: Int) throws -> PackedPanels<E> {
    let p = try PackedPanels<E>(rows: rows, dim: dim, width: width)
    if rows > 0, dim > 0 {
      values.withUnsafeBufferPointer { E.packRows($0.baseAddress!, rows: rows, dim: dim, width: width, into: p.base) }
    }
    return p
  }

  // MARK: Tiles

  package func columnCount(_ pass: Pass) -> Int { pass.docColumns ? ndocs : b }

  /// Scores rows [i0, i0 + rows) against columns [j0, j0 + cols) into `s` (row stride `lds`,
  /// ``tc`` by default).
  package func score(
    _ pass: Pass, _ i0: Int, _ rows: Int, _ j0: Int, _ cols: Int, into s: UnsafeMutablePointer<E>, lds: Int? = nil
  ) {
    let q = pass.anchorRows ? anchorQueries : positiveQueries!
    let c = pass.docColumns ? docColumns : anchorColumns!
    E.gemm(
      q.panel(i0 / aw), rows: rows, width: aw, c.panel(j0 / bw), width: bw, rows: cols, dim: d, into: s,
      rowStride: lds ?? tc)
  }

  /// The logit of row i, column j from its cosine, or nil when the entry is excluded.
  @inline(__always)
  package func logit(_ kind: Kind, _ i: Int, _ j: Int, _ s: Double) -> Double? {
    switch kind {
    case .queryToDoc:
      let l = loss.scale * s
      guard alpha > 0, let mode = loss.hardnessMode else { return l }
      let own = j % b == i
      let penalized: Bool
      switch mode {
      case .inBatchNegatives: penalized = !own
      case .hardNegatives: penalized = own && j >= b
      case .allNegatives: penalized = j != i
      }
      return penalized ? l + alpha * s : l
    case .queryToQuery: return j == i ? nil : loss.scale * s
    case .docToQuery: return loss.scale * s
    case .docToDoc: return j % b == i ? nil : loss.scale * s
    }
  }

  /// Whether every entry of a row is a plain `scale·cos` (the fast path).
  package func plain(_ kind: Kind) -> Bool { kind == .docToQuery || (kind == .queryToDoc && alpha == 0) }

  /// The positive cosine of row i: the same chain of fused multiply-adds as the GEMM, clamped.
  package func positiveCosine(_ i: Int) -> Double {
    var acc: E = 0
    for k in 0..<d { acc = acc.addingProduct(a.values[i * d + k], docs.values[i * d + k]) }
    if acc > 1 { acc = 1 } else if acc < -1 { acc = -1 }
    return Double(acc)
  }

  /// Max and Σ exp(logit − max) of one tile row (excluded entries left out).
  @inline(__always)
  package func rowStats(_ kind: Kind, _ i: Int, _ row: UnsafeMutablePointer<E>, _ j0: Int, _ cols: Int) -> (
    Double, Double
  ) {
    var m = -Double.infinity
    var s = 0.0
    if plain(kind) {
      let sc = loss.scale
      for c in 0..<cols {
        let l = sc * Double(row[c])
        if !(l <= m) { m = l }
      }
      if m == -.infinity || m.isNaN { return (m, m.isNaN ? m : 0) }
      for c in 0..<cols { s += .exp(sc * Double(row[c]) - m) }
      return (m, s)
    }
    for c in 0..<cols {
      if let l = logit(kind, i, j0 + c, Double(row[c])), !(l <= m) { m = l }
    }
    if m == -.infinity || m.isNaN { return (m, m.isNaN ? m : 0) }
    for c in 0..<cols {
      if let l = logit(kind, i, j0 + c, Double(row[c])) { s += .exp(l - m) }
    }
    return (m, s)
  }

  /// Merges two (max, Σ exp(x − max)) pairs.
  @inline(__always)
  package static func merge(_ m1: Double, _ s1: Double, _ m2: Double, _ s2: Double) -> (Double, Double) {
    if m1.isNaN || m2.isNaN || s1.isNaN || s2.isNaN { return (.nan, .nan) }
    if s2 == 0 { return (m1, s1) }
    if s1 == 0 { return (m2, s2) }
    if m2 > m1 { return (m2, s1 * .exp(m1 - m2) + s2) }
    return (m1, s1 + s2 * .exp(m2 - m1))
  }

  // MARK: The two tile bodies

  /// The forward tile: scores rows [i0, i0 + rows) against columns [j0, j0 + cols) into `tile`
  /// (row stride `lds`) and folds their logits into the rows' running (max, Σ exp) states `m`,
  /// `s`. Every forward pass and split runs its tiles through here.
  @inline(__always)
  package func foldTile(
    _ pass: Pass, _ i0: Int, _ rows: Int, _ j0: Int, _ cols: Int, tile: UnsafeMutablePointer<E>, lds: Int,
    max m: UnsafeMutablePointer<Double>, sum s: UnsafeMutablePointer<Double>
  ) {
    score(pass, i0, rows, j0, cols, into: tile, lds: lds)
    if plain(pass.kind) {
      E.lseRows(tile, lds: lds, rows: rows, cols: cols, scale: loss.scale, max: m, sum: s)
      return
    }
    for r in 0..<rows {
      let (cm, cs) = rowStats(pass.kind, i0 + r, tile + r * lds, j0, cols)
      (m[r], s[r]) = Self.merge(m[r], s[r], cm, cs)
    }
  }

  /// The backward tile: turns a tile of cosines (rows [i0, i0 + rows) × columns [j0, j0 + cols),
  /// row stride `lds`) into the gradient of the loss with respect to them, in place, and
  /// multiplies it into both sides: `dQ += G·C` and `dC += Gᵀ·Q`. `queries`, `columns`,
  /// `queryGradient` and `columnGradient` point at the tile's first row and first column. Returns
  /// the tile's part of the scale's gradient. Every backward pass and split (and the fused forward
  /// pass) runs its tiles through here.
  @inline(__always)
  package func backpropagate(
    _ kind: Kind, _ i0: Int, _ rows: Int, _ j0: Int, _ cols: Int, tile: UnsafeMutablePointer<E>, lds: Int,
    ref: [Double], f: [Double], weight: [Double], upstream u: [Double], queries: UnsafePointer<E>,
    columns: UnsafePointer<E>, queryGradient: UnsafeMutablePointer<E>, columnGradient: UnsafeMutablePointer<E>
  ) -> Double {
    var sg = 0.0
    if plain(kind) {
      sg = plainProbabilities(kind, i0, rows, tile, j0, cols, ref: ref, f: f, weight: weight, upstream: u, lds: lds)
    } else {
      for r in 0..<rows {
        sg += probabilities(
          kind, i0 + r, tile + r * lds, j0, cols, ref: ref[r], weight: weight[r], upstream: u[i0 + r])
      }
    }
    guard d > 0 else { return sg }
    E.gemmAccumulate(
      m: rows, n: d, k: cols, tile, aRowStride: lds, aColumnStride: 1, columns, ldb: d, queryGradient, ldc: d)
    E.gemmAccumulate(
      m: cols, n: d, k: rows, tile, aRowStride: 1, aColumnStride: lds, queries, ldb: d, columnGradient, ldc: d)
    return sg
  }
}
