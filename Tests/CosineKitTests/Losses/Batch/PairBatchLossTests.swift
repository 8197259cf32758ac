import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// CoSENT, triplet, contrastive and online-contrastive against formulas written out from
/// sentence-transformers' source, and their gradients against finite differences.
@Suite struct PairBatchLossTests {
  static func cos(_ x: [Double], _ y: [Double], eps: Double) -> Double {
    let d = Reference.dot(x, y) / (max(Reference.norm(x), eps) * max(Reference.norm(y), eps))
    return min(1, max(-1, d))
  }

  static func rows(_ t: Tensor<Double>) -> [[Double]] { MNRLReference.rows(t) }

  static func cosent(_ a: Tensor<Double>, _ b: Tensor<Double>, _ y: [Double], scale: Double) -> Double {
    let c = zip(rows(a), rows(b)).map { cos($0, $1, eps: 1e-12) }
    var terms = [0.0]
    for i in c.indices { for j in c.indices where y[i] > y[j] { terms.append(scale * (c[j] - c[i])) } }
    return MNRLReference.logSumExp(terms)
  }

  static func triplet(_ a: Tensor<Double>, _ p: Tensor<Double>, _ n: Tensor<Double>, margin: Double) -> [Double] {
    zip(zip(rows(a), rows(p)), rows(n)).map { ap, n in
      max(0, (1 - cos(ap.0, ap.1, eps: 1e-12)) - (1 - cos(ap.0, n, eps: 1e-12)) + margin)
    }
  }

  static func contrastive(_ a: Tensor<Double>, _ b: Tensor<Double>, _ y: [Double], margin: Double) -> [Double] {
    zip(zip(rows(a), rows(b)), y).map { xy, y in
      let d = 1 - cos(xy.0, xy.1, eps: 1e-8)
      return 0.5 * (y * d * d + (1 - y) * pow(max(0, margin - d), 2))
    }
  }

  static func online(_ a: Tensor<Double>, _ b: Tensor<Double>, _ y: [Double], margin: Double) -> Double {
    let d = zip(rows(a), rows(b)).map { 1 - cos($0, $1, eps: 1e-8) }
    let poss = d.indices.filter { y[$0] == 1 }.map { d[$0] }
    let negs = d.indices.filter { y[$0] == 0 }.map { d[$0] }
    let negLimit = poss.isEmpty ? negs.reduce(0, +) / Double(negs.count) : poss.max()!
    let posLimit = negs.isEmpty ? poss.reduce(0, +) / Double(poss.count) : negs.min()!
    return poss.filter { $0 > posLimit }.reduce(0) { $0 + $1 * $1 }
      + negs.filter { $0 < negLimit }.reduce(0) { $0 + pow(max(0, margin - $1), 2) }
  }

  static func reduce(_ per: [Double], _ r: Reduction, weights w: [Double]) -> Double {
    switch r {
    case .none: zip(per, w).reduce(0) { $0 + $1.0 * $1.1 }
    case .sum: per.reduce(0, +)
    case .mean: per.reduce(0, +) / Double(per.count)
    }
  }

  /// Checks value and the gradients of `Σ w·value` (w random for `none`) against `f`.
  static func check(
    _ loss: any BatchCosineLoss, _ a: Tensor<Double>, _ b: Tensor<Double>, negatives n: Tensor<Double>? = nil,
    target: [Double]? = nil, upstream: Tensor<Double>, scaleOf: ((Double) -> any BatchCosineLoss)? = nil,
    _ f: @escaping (any BatchCosineLoss, Tensor<Double>, Tensor<Double>, Tensor<Double>?) -> Double
  ) throws {
    let t = target.map { Tensor($0) }
    let (v, pb) = try loss.valueWithPullback(a, b, negatives: n, target: t)
    #expect(
      isClose(
        zip(v.scalars, upstream.scalars).reduce(0) { $0 + $1.0 * $1.1 }, f(loss, a, b, n), rtol: 1e-12, atol: 1e-13))
    let g = try pb(upstream)
    #expect(allClose(g.first, finiteDifferenceGradient(a) { f(loss, $0, b, n) }, rtol: 1e-6, atol: 1e-8))
    #expect(allClose(g.second, finiteDifferenceGradient(b) { f(loss, a, $0, n) }, rtol: 1e-6, atol: 1e-8))
    if let n {
      #expect(allClose(g.negatives!, finiteDifferenceGradient(n) { f(loss, a, b, $0) }, rtol: 1e-6, atol: 1e-8))
    }
    if let scaleOf, let s = (loss as? CoSENTLoss)?.scale {
      let h = 1e-6 * s
      let fd = (f(scaleOf(s + h), a, b, n) - f(scaleOf(s - h), a, b, n)) / (2 * h)
      #expect(isClose(g.scale, fd, rtol: 1e-6, atol: 1e-8))
    }
  }

  static let a = randomTensor([7, 4], seed: 10, as: Double.self)
  static let b = randomTensor([7, 4], seed: 11, as: Double.self)
  static let n = randomTensor([7, 4], seed: 12, as: Double.self)

  @Test func cosentWithTies() throws {
    let y = [0.1, 0.5, 0.5, 0.9, 0.1, 0.3, 0.5]
    try Self.check(
      try CoSENTLoss(scale: 13), Self.a, Self.b, target: y, upstream: Tensor(scalar: 1.5),
      scaleOf: { try! CoSENTLoss(scale: $0) },
      { l, a, b, _ in 1.5 * Self.cosent(a, b, y, scale: (l as! CoSENTLoss).scale) })
    // All labels equal: log 1 = 0, zero gradients.
    let (v, g) = try CoSENTLoss().valueWithGradient(Self.a, Self.b, target: Tensor([Double](repeating: 2, count: 7)))
    #expect(v.scalars == [0])
    #expect(g.first.scalars.allSatisfy { $0 == 0 })
  }

  @Test(arguments: Reduction.allCases, [1.0, 0.3])
  func triplet(_ reduction: Reduction, _ margin: Double) throws {
    let w = reduction == .none ? Tensor([0.5, -1, 2, 1, 0.3, 1.1, -0.7]) : Tensor(scalar: 1.0)
    try Self.check(
      try CosineTripletLoss(margin: margin, reduction: reduction), Self.a, Self.b, negatives: Self.n, upstream: w
    ) { _, a, b, n in Self.reduce(Self.triplet(a, b, n!, margin: margin), reduction, weights: w.scalars) }
  }

  @Test(arguments: Reduction.allCases)
  func contrastive(_ reduction: Reduction) throws {
    let y = [1, 0, 0.25, 1, 0, 0.8, 0]
    let w = reduction == .none ? Tensor([0.5, -1, 2, 1, 0.3, 1.1, -0.7]) : Tensor(scalar: 1.0)
    // margin 1.2 makes the hinge active for some negatives.
    try Self.check(try ContrastiveLoss(margin: 1.2, reduction: reduction), Self.a, Self.b, target: y, upstream: w) {
      _, a, b, _ in Self.reduce(Self.contrastive(a, b, y, margin: 1.2), reduction, weights: w.scalars)
    }
  }

  @Test(arguments: [[1.0, 0, 0, 1, 0, 1, 0], [1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0]])
  func onlineContrastive(_ y: [Double]) throws {
    try Self.check(try OnlineContrastiveLoss(margin: 1.1), Self.a, Self.b, target: y, upstream: Tensor(scalar: 1.0)) {
      _, a, b, _ in Self.online(a, b, y, margin: 1.1)
    }
  }

  @Test func labelsAndShapesAreChecked() throws {
    #expect(throws: CosineError.self) { try ContrastiveLoss()(Self.a, Self.b, target: Tensor([0, 1, 2, 0, 0, 0, 0])) }
    #expect(throws: CosineError.self) {
      try OnlineContrastiveLoss()(Self.a, Self.b, target: Tensor([0, 1, 0.5, 0, 0, 0, 0]))
    }
    #expect(throws: CosineError.self) { try CoSENTLoss()(Self.a, Self.b) }
    #expect(throws: CosineError.self) { try CoSENTLoss()(Self.a, Self.b, target: Tensor([1, 2])) }
    #expect(throws: CosineError.self) { try CosineTripletLoss()(Self.a, Self.b) }
    #expect(throws: CosineError.self) {
      try CosineTripletLoss()(Self.a, Self.b, negatives: randomTensor([2, 7, 4], seed: 1, as: Double.self))
    }
    #expect(throws: CosineError.self) { try CoSENTLoss(scale: -1) }
    #expect(throws: CosineError.self) { try CosineTripletLoss(margin: .infinity) }
  }

  /// Zero rows: finite gradients, and 1e20 rows in Float give the same value as unit rows.
  @Test func zeroAndHugeRows() throws {
    var a = Self.a
    for k in 0..<4 { a.scalars[k] = 0 }
    let y = [1.0, 0, 0, 1, 0, 1, 0]
    for loss in [try ContrastiveLoss() as any BatchCosineLoss, try OnlineContrastiveLoss(), try CoSENTLoss()] {
      let (v, g) = try loss.valueWithGradient(a, Self.b, target: Tensor(y))
      #expect(v.scalars[0].isFinite && g.first.scalars.allSatisfy(\.isFinite))
      let af = Self.a.converted(to: Float.self)
      let bf = Self.b.converted(to: Float.self)
      let big = Tensor<Float>(uncheckedShape: af.shape, scalars: af.scalars.map { $0 * 1e20 })
      let v1 = try loss(af, bf, target: Tensor(y.map(Float.init)))
      let v2 = try loss(big, bf, target: Tensor(y.map(Float.init)))
      #expect(isClose(Double(v2.scalars[0]), Double(v1.scalars[0]), rtol: 1e-6, atol: 1e-6))
    }
  }

  @Test func matryoshkaSumsNormalizedSlices() throws {
    let dims = [4, 3, 1]
    let weights = [1.0, 0.5, 2.0]
    func sliced(_ x: Tensor<Double>, _ d: Int) -> Tensor<Double> {
      let r = Self.rows(x).map { Array($0[0..<d]) }.map(MNRLReference.unit)
      return try! Tensor(rows: r)
    }
    let cases: [(any BatchCosineLoss, Tensor<Double>?, [Double]?)] = [
      (try MultipleNegativesRankingLoss(scale: 5), Self.n, nil),
      (try CosineTripletLoss(margin: 0.8), Self.n, nil),
      (try ContrastiveLoss(margin: 1.2), nil, [1, 0, 0.25, 1, 0, 0.8, 0]),
      (try CoSENTLoss(scale: 3), nil, [0.1, 0.5, 0.5, 0.9, 0.1, 0.3, 0.5]),
    ]
    for (inner, n, y) in cases {
      let loss = try MatryoshkaLoss(inner, dims: dims, weights: weights)
      let f = { (a: Tensor<Double>, b: Tensor<Double>, n: Tensor<Double>?) -> Double in
        var s = 0.0
        for (d, w) in zip(dims, weights) {
          s +=
            w
            * (try! inner(sliced(a, d), sliced(b, d), negatives: n.map { sliced($0, d) }, target: y.map { Tensor($0) }))
            .scalars[0]
        }
        return s
      }
      try Self.check(loss, Self.a, Self.b, negatives: n, target: y, upstream: Tensor(scalar: 1.0)) { _, a, b, n in
        f(a, b, n)
      }
    }
    #expect(throws: CosineError.self) { try MatryoshkaLoss(CoSENTLoss(), dims: []) }
    #expect(throws: CosineError.self) { try MatryoshkaLoss(CoSENTLoss(), dims: [4, 2], weights: [1]) }
    #expect(throws: CosineError.self) {
      try MatryoshkaLoss(CoSENTLoss(), dims: [5])(Self.a, Self.b, target: Tensor([Double](repeating: 0, count: 7)))
    }
  }
}
