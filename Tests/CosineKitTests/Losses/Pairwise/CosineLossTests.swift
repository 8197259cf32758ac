import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct LossTests {
  static let kinds: [CosineLoss.Kind] = [.keras, .cosineDistance(), .embedding(margin: 0.2), .mse()]

  /// The per-sample loss written out from the reference semantics.
  static func reference(_ kind: CosineLoss.Kind, _ x: [Double], _ y: [Double], target t: Double) -> Double {
    switch kind {
    case .keras:
      let l = { (v: [Double]) in v.map { $0 / max(Reference.norm(v), 1e-7) } }
      return -Reference.dot(l(x), l(y))
    case .cosineDistance(let eps): return 1 - Reference.cosine(x, y, eps: eps)
    case .mse(let eps):
      let e = Reference.cosine(x, y, eps: eps) - t
      return e * e
    case .embedding(let margin):
      let c = Reference.embeddingCosine(x, y)
      return t == 1 ? 1 - c : max(0, c - margin)
    }
  }

  @Test func kerasSeedExample() throws {
    let yTrue = try Tensor<Float>(rows: [[0, 1], [1, 1], [1, 1]])
    let yPred = try Tensor<Float>(rows: [[1, 0], [1, 1], [-1, -1]])
    let l = try CosineLoss(.keras, reduction: .none)(yTrue, yPred)
    #expect(l.scalars == [0, -1, 1])
    #expect(l.scalars[0].sign == .minus)  // −0, as Keras
    #expect(try CosineLoss(.keras)(yTrue, yPred).scalars == [0])  // mean of −0, −1, 1
  }

  @Test(arguments: kinds, Reduction.allCases)
  func valueMatchesReference(_ kind: CosineLoss.Kind, _ reduction: Reduction) throws {
    let a = randomTensor([7, 5], seed: 40, as: Double.self)
    let b = randomTensor([7, 5], seed: 41, as: Double.self)
    var rng = SeededGenerator(seed: 42)
    let targets: [Double] = (0..<7).map { i in
      if case .embedding = kind { return i % 3 == 0 ? -1 : 1 }
      return Double.random(in: 0...1, using: &rng)
    }
    let weights = (0..<7).map { _ in Double.random(in: 0...2, using: &rng) }
    let t = kind.needsTarget ? Tensor(targets) : nil
    let v = try CosineLoss(kind, reduction: reduction)(a, b, target: t, sampleWeight: Tensor(weights))
    let (_, rows) = Reference.rows(a, b, axis: -1)
    let per = rows.enumerated().map { i, r in weights[i] * Self.reference(kind, r.0, r.1, target: targets[i]) }
    switch reduction {
    case .none: #expect(allClose(v, Tensor(per), rtol: 1e-13, atol: 1e-14))
    case .sum: #expect(isClose(v.scalars[0], per.reduce(0, +), rtol: 1e-13, atol: 1e-14))
    case .mean: #expect(isClose(v.scalars[0], per.reduce(0, +) / 7, rtol: 1e-13, atol: 1e-14))
    }
  }

  @Test(arguments: kinds, Reduction.allCases)
  func gradientMatchesFiniteDifferences(_ kind: CosineLoss.Kind, _ reduction: Reduction) throws {
    let a = randomTensor([6, 4], seed: 50, as: Double.self)
    let b = randomTensor([6, 4], seed: 51, as: Double.self)
    let t: Tensor<Double>? =
      switch kind {
      case .embedding: Tensor([1, -1, 1, -1, -1, 1])
      case .mse: Tensor([0.1, 0.9, 0.5, 0.3, 1, 0])
      default: nil
      }
    let w = Tensor<Double>([1, 0.5, 2, 0, 1.5, 1])
    let loss = CosineLoss(kind, reduction: reduction)
    let (_, g1, g2) = try loss.valueWithGradient(a, b, target: t, sampleWeight: w)
    let total = { (x: Tensor<Double>, y: Tensor<Double>) in
      try! loss(x, y, target: t, sampleWeight: w).scalars.reduce(0, +)
    }
    #expect(allClose(g1, finiteDifferenceGradient(a) { total($0, b) }, rtol: 1e-6, atol: 1e-8))
    #expect(allClose(g2, finiteDifferenceGradient(b) { total(a, $0) }, rtol: 1e-6, atol: 1e-8))
  }

  @Test(arguments: kinds)
  func zeroVectorsGiveFiniteGradients(_ kind: CosineLoss.Kind) throws {
    let a = try Tensor<Float>(rows: [[0, 0, 0], [1, 2, 3]])
    let b = try Tensor<Float>(rows: [[1, 2, 2], [0, 0, 0]])
    let t: Tensor<Float>? = kind.needsTarget ? Tensor([1, -1]) : nil
    let (v, g1, g2) = try CosineLoss(kind, reduction: .sum).valueWithGradient(a, b, target: t)
    #expect(v.scalars[0].isFinite)
    #expect(g1.scalars.allSatisfy(\.isFinite) && g2.scalars.allSatisfy(\.isFinite))
  }

  @Test func kerasZeroVectorGivesNegativeZeroLossAndFiniteGradient() throws {
    let (v, g1, _) = try CosineLoss(.keras, reduction: .none).valueWithGradient(
      try Tensor<Double>(rows: [[0, 0]]), try Tensor<Double>(rows: [[3, 4]]))
    #expect(v.scalars[0] == 0 && v.scalars[0].sign == .minus)
    // −x̂2/1e-7: the exact gradient of the clamped formula, where Keras 3 gives NaN.
    #expect(allClose(g1, try Tensor(rows: [[-0.6e7, -0.8e7]]), rtol: 1e-12, atol: 0))
  }

  @Test func embeddingRejectsTargetsOtherThanPlusMinusOne() throws {
    let a = randomTensor([3, 4], seed: 1, as: Float.self)
    #expect(throws: CosineError.invalidTarget(value: 0, index: 1)) {
      try CosineLoss(.embedding())(a, a, target: Tensor([1, 0, -1]))
    }
    #expect(throws: CosineError.self) { try CosineLoss(.embedding())(a, a) }  // target missing
    #expect(throws: CosineError.self) { try CosineLoss(.keras)(a, a, target: Tensor([1, 1, 1])) }
  }

  @Test func weightsBroadcastAndMeanCountsZeroWeights() throws {
    let a = randomTensor([2, 3, 4], seed: 3, as: Double.self)
    let b = randomTensor([2, 3, 4], seed: 4, as: Double.self)
    let per = try CosineLoss(.cosineDistance(), reduction: .none)(a, b)
    let w = try Tensor<Double>(shape: [2, 1], scalars: [0, 2])  // broadcast over the 3 samples of each batch
    let mean = try CosineLoss(.cosineDistance())(a, b, sampleWeight: w)
    let want = (0..<6).reduce(0.0) { $0 + per.scalars[$1] * ($1 < 3 ? 0 : 2) } / 6
    #expect(isClose(mean.scalars[0], want, rtol: 1e-14, atol: 0))
    #expect(throws: CosineError.self) { try CosineLoss(.keras)(a, b, sampleWeight: Tensor([1, 2, 3, 4])) }
  }

  @Test func emptyBatchReducesToZero() throws {
    let e = try Tensor<Float>(shape: [0, 4], repeating: 0)
    #expect(try CosineLoss(.keras)(e, e).scalars == [0])
    #expect(try CosineLoss(.keras, reduction: .none)(e, e).shape == [0])
  }

  @Test func axisAndBroadcasting() throws {
    let a = randomTensor([4, 3], seed: 7, as: Double.self)
    let b = randomTensor([3], seed: 8, as: Double.self)
    let l = try CosineLoss(.cosineDistance(), axis: 0, reduction: .none)(a.reshapedUnchecked([4, 3]), a)
    #expect(l.shape == [3])
    let lb = try CosineLoss(.cosineDistance(), reduction: .none)(a, b)
    #expect(
      allClose(
        lb, Tensor((0..<4).map { i in 1 - Reference.cosine(Array(a.scalars[3 * i..<3 * i + 3]), b.scalars) }),
        rtol: 1e-14, atol: 1e-15))
  }
}

@Suite struct GradientBufferReuseTests {
  @Test(arguments: [[64, 33], [5, 4, 3]] as [[Int]])
  func keptGradientBuffersAreOverwrittenInPlace(_ shape: [Int]) throws {
    let a = randomTensor(shape, seed: 200, as: Float.self)
    let b = randomTensor(shape, seed: 201, as: Float.self)
    let loss = CosineLoss(.cosineDistance(), axis: 1)
    let (want, w1, w2) = try loss.valueWithGradient(a, b)
    var g1 = Tensor<Float>(scalar: 7)
    var g2 = Tensor<Float>(scalar: 7)  // wrong shape: replaced
    let v = try loss.valueWithGradient(a, b, gradientTrue: &g1, gradientPred: &g2)
    #expect(v == want && g1 == w1 && g2 == w2)
    let address = g1.scalars.withUnsafeBufferPointer { $0.baseAddress }
    // A second step with other inputs reuses the same storage and overwrites every element.
    let (_, x1, x2) = try loss.valueWithGradient(b, a)
    _ = try loss.valueWithGradient(b, a, gradientTrue: &g1, gradientPred: &g2)
    #expect(g1 == x1 && g2 == x2)
    #expect(g1.scalars.withUnsafeBufferPointer { $0.baseAddress } == address)
  }
}
