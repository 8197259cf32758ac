import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// A dense reference of sentence-transformers' MultipleNegativesRankingLoss, written from its
/// source: full score matrices in Double, no streaming.
enum MNRLReference {
  static func unit(_ x: [Double]) -> [Double] {
    let n = max(Reference.norm(x), 1e-12)
    return x.map { $0 / n }
  }

  static func cos(_ x: [Double], _ y: [Double]) -> Double {
    min(1, max(-1, Reference.dot(unit(x), unit(y))))
  }

  static func rows(_ t: Tensor<Double>) -> [[Double]] {
    let d = t.shape.last!
    return stride(from: 0, to: t.count, by: max(d, 1)).map { Array(t.scalars[$0..<($0 + d)]) }
  }

  static func logSumExp(_ v: [Double]) -> Double {
    let m = v.max() ?? -.infinity
    if m == -.infinity { return m }
    return m + log(v.reduce(0) { $0 + exp($1 - m) })
  }

  /// Per-anchor losses.
  /// `frozen` holds the inputs the hardness penalty's cosines come from (a constant for the
  /// gradient, as PyTorch's `detach`); by default the inputs themselves.
  static func perAnchor(
    _ loss: MultipleNegativesRankingLoss, _ a: Tensor<Double>, _ p: Tensor<Double>, _ n: Tensor<Double>?,
    frozen: (Tensor<Double>, Tensor<Double>, Tensor<Double>?)? = nil
  ) -> [Double] {
    let A = rows(a)
    let P = rows(p)
    let docs = P + (n.map(rows) ?? [])
    let fA = frozen.map { rows($0.0) } ?? A
    let fDocs = frozen.map { rows($0.1) + ($0.2.map(rows) ?? []) } ?? docs
    let b = A.count
    let s = loss.scale
    let alpha = loss.hardnessMode == nil ? 0 : loss.hardnessStrength
    return (0..<b).map { i in
      var dirs: [[Double]] = []
      for d in loss.directions {
        switch d {
        case .queryToDoc:
          dirs.append(
            docs.indices.map { j in
              let c = cos(A[i], docs[j])
              let own = j % b == i
              let pen: Bool
              switch loss.hardnessMode {
              case nil: pen = false
              case .inBatchNegatives: pen = !own
              case .hardNegatives: pen = own && j >= b
              case .allNegatives: pen = j != i
              }
              return s * c + (pen ? alpha * cos(fA[i], fDocs[j]) : 0)
            })
        case .queryToQuery: dirs.append(A.indices.map { j in j == i ? -.infinity : s * cos(A[i], A[j]) })
        case .docToQuery: dirs.append(A.indices.map { j in s * cos(A[j], P[i]) })
        case .docToDoc: dirs.append(docs.indices.map { j in j % b == i ? -.infinity : s * cos(docs[j], P[i]) })
        }
      }
      let logZ =
        loss.partitionMode == .joint
        ? logSumExp(dirs.flatMap { $0 }) : dirs.map(logSumExp).reduce(0, +) / Double(dirs.count)
      return logZ - s * cos(A[i], P[i])
    }
  }

  static func value(
    _ loss: MultipleNegativesRankingLoss, _ a: Tensor<Double>, _ p: Tensor<Double>, _ n: Tensor<Double>?,
    weights: [Double]? = nil, frozen: (Tensor<Double>, Tensor<Double>, Tensor<Double>?)? = nil
  ) -> Double {
    let per = perAnchor(loss, a, p, n, frozen: frozen)
    switch loss.reduction {
    case .none: return zip(per, weights!).reduce(0) { $0 + $1.0 * $1.1 }
    case .sum: return per.reduce(0, +)
    case .mean: return per.isEmpty ? 0 : per.reduce(0, +) / Double(per.count)
    }
  }
}

@Suite struct MNRLTests {
  typealias L = MultipleNegativesRankingLoss

  static let directionSets: [[L.Direction]] = [
    [.queryToDoc], [.queryToDoc, .docToQuery], [.queryToDoc, .queryToQuery], [.queryToDoc, .docToDoc],
    [.queryToDoc, .queryToQuery, .docToQuery, .docToDoc],
  ]
  static let hardness: [L.HardnessMode?] = [nil, .inBatchNegatives, .hardNegatives, .allNegatives]

  static func configurations() -> [L] {
    var out: [L] = []
    for dirs in directionSets {
      for pm in L.PartitionMode.allCases {
        if pm == .perDirection && (dirs.contains(.queryToQuery) || dirs.contains(.docToDoc)) { continue }
        for h in hardness {
          out.append(
            try! L(scale: 7, directions: dirs, partitionMode: pm, hardnessMode: h, hardnessStrength: h == nil ? 0 : 2.5)
          )
        }
      }
    }
    return out
  }

  static func inputs(b: Int, d: Int, blocks: Int, seed: UInt64) -> (Tensor<Double>, Tensor<Double>, Tensor<Double>?) {
    let a = randomTensor([b, d], seed: seed, as: Double.self)
    let p = randomTensor([b, d], seed: seed + 1, as: Double.self)
    let n = blocks == 0 ? nil : randomTensor([blocks, b, d], seed: seed + 2, as: Double.self)
    return (a, p, n)
  }

  @Test(arguments: configurations(), [0, 1, 2])
  func valueMatchesDenseReference(_ loss: L, _ blocks: Int) throws {
    let (a, p, n) = Self.inputs(b: 6, d: 5, blocks: blocks, seed: 100)
    for reduction in Reduction.allCases {
      var l = loss
      l.reduction = reduction
      let v = try l(a, p, negatives: n)
      if reduction == .none {
        #expect(allClose(v, Tensor(MNRLReference.perAnchor(l, a, p, n)), rtol: 1e-12, atol: 1e-12))
      } else {
        #expect(isClose(v.scalars[0], MNRLReference.value(l, a, p, n), rtol: 1e-12, atol: 1e-12))
      }
    }
  }

  /// Gradients with respect to anchors, positives, negatives and scale, by central differences.
  @Test(arguments: configurations(), [0, 2])
  func gradientsMatchFiniteDifferences(_ loss: L, _ blocks: Int) throws {
    let (a, p, n) = Self.inputs(b: 4, d: 3, blocks: blocks, seed: 200)
    let (a0, p0, n0) = (a, p, n)
    var l = loss
    l.reduction = .none
    let w = [0.3, -1.2, 0.7, 2.0]
    let (value, pb) = try l.valueWithPullback(a, p, negatives: n, target: nil)
    #expect(value.shape == [4])
    let g = try pb(Tensor(w))
    let f = { (a: Tensor<Double>, p: Tensor<Double>, n: Tensor<Double>?, s: Double) -> Double in
      var m = try! L(
        scale: s, directions: l.directions, partitionMode: l.partitionMode, hardnessMode: l.hardnessMode,
        hardnessStrength: l.hardnessStrength, reduction: l.reduction)
      (m.tileRows, m.tileColumns) = (l.tileRows, l.tileColumns)
      return MNRLReference.value(m, a, p, n, weights: w, frozen: (a0, p0, n0))
    }
    let ga = finiteDifferenceGradient(a) { f($0, p, n, l.scale) }
    let gp = finiteDifferenceGradient(p) { f(a, $0, n, l.scale) }
    #expect(allClose(g.first, ga, rtol: 1e-6, atol: 1e-8))
    #expect(allClose(g.second, gp, rtol: 1e-6, atol: 1e-8))
    if let n {
      let gn = finiteDifferenceGradient(n) { f(a, p, $0, l.scale) }
      #expect(allClose(g.negatives!, gn, rtol: 1e-6, atol: 1e-8))
    } else {
      #expect(g.negatives == nil)
    }
    let h = 1e-6 * l.scale
    let gs = (f(a, p, n, l.scale + h) - f(a, p, n, l.scale - h)) / (2 * h)
    #expect(isClose(g.scale, gs, rtol: 1e-6, atol: 1e-8))
  }

  @Test(arguments: [(14, 16), (28, 32), (1, 1), (256, 512)])
  func streamingEqualsOneTile(_ tile: (Int, Int)) throws {
    let (a, p, n) = Self.inputs(b: 61, d: 9, blocks: 2, seed: 300)
    for dirs in [Self.directionSets[0], Self.directionSets[4]] {
      var big = try L(directions: dirs, hardnessMode: .allNegatives, hardnessStrength: 1)
      big.tileRows = 1 << 20
      big.tileColumns = 1 << 20
      let (v1, g1) = try big.valueWithGradient(a, p, negatives: n)
      // Threads over whole tiles of rows (private gradient buffers, or not), or over columns.
      for (rowParallel, limit) in [(true, 64 << 20), (true, 0), (false, 64 << 20)] {
        var small = big
        small.tileRows = tile.0
        small.tileColumns = tile.1
        small.rowParallel = rowParallel
        small.privateAccumulatorLimit = limit
        let (v2, g2) = try small.valueWithGradient(a, p, negatives: n)
        #expect(isClose(v2.scalars[0], v1.scalars[0], rtol: 1e-13, atol: 1e-13))
        #expect(allClose(g2.first, g1.first, rtol: 1e-11, atol: 1e-13))
        #expect(allClose(g2.second, g1.second, rtol: 1e-11, atol: 1e-13))
        #expect(allClose(g2.negatives!, g1.negatives!, rtol: 1e-11, atol: 1e-13))
        #expect(isClose(g2.scale, g1.scale, rtol: 1e-11, atol: 1e-13))
      }
      // Float: the same tiles in Float agree with the Double result to Float accuracy.
      var smallF = big
      smallF.tileRows = 14
      smallF.tileColumns = tile.1
      let (vf, gf) = try smallF.valueWithGradient(
        a.converted(to: Float.self), p.converted(to: Float.self), negatives: n!.converted(to: Float.self))
      #expect(isClose(Double(vf.scalars[0]), v1.scalars[0], rtol: 1e-5, atol: 1e-5))
      #expect(allClose(gf.first, g1.first, rtol: 1e-3, atol: 1e-4))
    }
  }

  @Test func batchOfOneAndDimOne() throws {
    // B = 1: the only logit is the positive, so the loss is exactly 0 (Float too: same chain).
    let a = try Tensor<Float>(rows: [[0.3, -2, 1]])
    let p = try Tensor<Float>(rows: [[1, 1, 0.5]])
    let (v, g) = try L().valueWithGradient(a, p)
    #expect(v.scalars == [0])
    #expect(g.first.scalars.allSatisfy { $0 == 0 } && g.second.scalars.allSatisfy { $0 == 0 })
    // D = 1: cosines are ±1.
    let a1 = try Tensor<Double>(rows: [[2], [-1], [3]])
    let p1 = try Tensor<Double>(rows: [[1], [-4], [-1]])
    let v1 = try L(scale: 3)(a1, p1)
    let l1 = MNRLReference.value(try L(scale: 3), a1, p1, nil)
    #expect(isClose(v1.scalars[0], l1, rtol: 1e-14, atol: 1e-14))
    // Empty batch.
    let e = try Tensor<Double>(shape: [0, 4], repeating: 0)
    #expect(try L()(e, e).scalars == [0])
    #expect(try L(reduction: .none)(e, e).shape == [0])
  }

  /// Zero rows: cosine 0, and the exact gradient of the clamped normalization (linear there).
  @Test func zeroRowsHaveTheClampedGradient() throws {
    var (a, p, n) = Self.inputs(b: 4, d: 3, blocks: 1, seed: 400)
    for k in 0..<3 {
      a.scalars[k] = 0
      p.scalars[3 + k] = 0
    }
    let loss = try L(directions: [.queryToDoc, .docToDoc])
    let (v, g) = try loss.valueWithGradient(a, p, negatives: n)
    #expect(isClose(v.scalars[0], MNRLReference.value(loss, a, p, n), rtol: 1e-12, atol: 1e-12))
    #expect(g.first.scalars.allSatisfy(\.isFinite) && g.second.scalars.allSatisfy(\.isFinite))
    // Inside the clamp region (‖x‖ < 1e-12) the normalization is x / 1e-12: differences with
    // a step of 1e-16 measure that exact gradient.
    let f = { (x: Tensor<Double>) in MNRLReference.value(loss, x, p, n) }
    for k in 0..<3 {
      var xp = a
      var xm = a
      xp.scalars[k] = 1e-16
      xm.scalars[k] = -1e-16
      let fd = (f(xp) - f(xm)) / 2e-16
      #expect(isClose(g.first.scalars[k], fd, rtol: 1e-6, atol: 1e-3))
      #expect(abs(g.first.scalars[k]) > 1e9)  // ~1e12 × a unit vector's component
    }
  }

  @Test func hugeFloatRowsAreExact() throws {
    let (a, p, _) = Self.inputs(b: 5, d: 4, blocks: 0, seed: 500)
    let af = a.converted(to: Float.self)
    let pf = p.converted(to: Float.self)
    let big = Tensor<Float>(uncheckedShape: af.shape, scalars: af.scalars.map { $0 * 1e20 })
    let (v1, g1) = try L().valueWithGradient(af, pf)
    let (v2, g2) = try L().valueWithGradient(big, pf)
    #expect(v2.scalars[0].isFinite)
    #expect(isClose(Double(v2.scalars[0]), Double(v1.scalars[0]), rtol: 1e-6, atol: 1e-6))
    #expect(allClose(g2.second, g1.second, rtol: 1e-5, atol: 1e-6))
    // The gradient with respect to a row scales as 1/‖x‖.
    #expect(
      allClose(
        Tensor<Double>(uncheckedShape: af.shape, scalars: g2.first.scalars.map { Double($0) * 1e20 }), g1.first,
        rtol: 1e-4, atol: 1e-5))
  }

  @Test func duplicateRows() throws {
    var (a, p, _) = Self.inputs(b: 4, d: 3, blocks: 0, seed: 600)
    for k in 0..<3 {
      a.scalars[3 + k] = a.scalars[k]
      p.scalars[3 + k] = p.scalars[k]
      p.scalars[6 + k] = a.scalars[6 + k]  // a positive equal to its anchor: cosine exactly 1
    }
    let loss = try L(directions: [.queryToDoc, .queryToQuery, .docToQuery, .docToDoc])
    let (v, g) = try loss.valueWithGradient(a, p)
    #expect(isClose(v.scalars[0], MNRLReference.value(loss, a, p, nil), rtol: 1e-12, atol: 1e-12))
    let ga = finiteDifferenceGradient(a) { MNRLReference.value(loss, $0, p, nil) }
    #expect(allClose(g.first, ga, rtol: 1e-6, atol: 1e-8))
  }

  @Test func invalidOptionsAreRejected() throws {
    #expect(throws: CosineError.self) { try L(scale: 0) }
    #expect(throws: CosineError.self) { try L(scale: .nan) }
    #expect(throws: CosineError.self) { try L(directions: []) }
    #expect(throws: CosineError.self) { try L(directions: [.docToQuery]) }
    #expect(throws: CosineError.self) { try L(directions: [.queryToDoc, .queryToQuery], partitionMode: .perDirection) }
    #expect(throws: CosineError.self) { try L(hardnessStrength: -1) }
    #expect(throws: CosineError.self) { try L.directions(parsing: "") }
    #expect(throws: CosineError.self) { try L.directions(parsing: "query_to_doc,sideways") }
    #expect(try L.directions(parsing: "query_to_doc,doc_to_query") == [.queryToDoc, .docToQuery])
    let (a, p, _) = Self.inputs(b: 3, d: 2, blocks: 0, seed: 1)
    let wrong = randomTensor([2, 2, 2], seed: 2, as: Double.self)
    #expect(throws: CosineError.self) { try L()(a, p, negatives: wrong) }
    #expect(throws: CosineError.self) { try L()(a, randomTensor([3, 3], seed: 3, as: Double.self)) }
    #expect(throws: CosineError.self) { try L()(a, p, target: Tensor([1, 2, 3])) }
  }
}
