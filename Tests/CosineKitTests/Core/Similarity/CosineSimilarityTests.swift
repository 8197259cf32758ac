import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

@Suite struct CosineSimilarityTests {
  @Test func goldenValues() throws {
    let a = try Tensor<Double>(rows: [[1, 0], [1, 1], [3, 4], [0, 0]])
    let b = try Tensor<Double>(rows: [[1, 1], [-1, -1], [4, 3], [1, 2]])
    let c = try cosineSimilarity(a, b)
    // 1/√2, −1, 24/25, zero vector → 0.
    #expect(allClose(c, Tensor<Double>([(0.5).squareRoot(), -1, 0.96, 0]), rtol: 1e-15, atol: 1e-15))
  }

  @Test(
    arguments: [
      ([4, 7], [4, 7], -1), ([4, 7], [4, 7], 0), ([3, 5, 6], [3, 5, 6], 1), ([3, 5, 6], [3, 5, 6], 0),
      ([3, 5, 6], [3, 5, 6], -1), ([3, 1, 6], [4, 6], -1), ([6], [5, 6], 1), ([2, 3, 1], [1, 3, 4], 1),
      ([2, 3, 1], [1, 3, 4], 2), ([5, 1], [5, 1], 1), ([1], [9, 1], -1), ([], [], 0), ([2, 0, 3], [2, 0, 3], 2),
    ] as [([Int], [Int], Int)])
  func matchesReferenceForEveryLayout(_ s1: [Int], _ s2: [Int], _ axis: Int) throws {
    let a = randomTensor(s1, seed: 1, as: Double.self)
    let b = randomTensor(s2, seed: 2, as: Double.self)
    let c = try cosineSimilarity(a, b, axis: axis)
    guard !s1.isEmpty else {
      // Rank 0: a vector of length 1, so the cosine is the sign of the product.
      #expect(c.shape == [] && c.scalars[0] == (a.scalars[0] * b.scalars[0] > 0 ? 1 : -1))
      return
    }
    #expect(allClose(c, Reference.cosineSimilarity(a, b, axis: axis), rtol: 1e-13, atol: 1e-14))
    // Float storage agrees with the Double reference to float rounding.
    let a32 = a.converted(to: Float.self)
    let b32 = b.converted(to: Float.self)
    let cf = try cosineSimilarity(a32, b32, axis: axis)
    #expect(
      allClose(cf, Reference.cosineSimilarity(a32.converted(), b32.converted(), axis: axis), rtol: 1e-7, atol: 1e-7))
  }

  @Test(
    arguments: [
      ([4, 7], [4, 7], -1), ([3, 5, 6], [3, 5, 6], 0), ([3, 5, 6], [3, 5, 6], 1), ([3, 1, 6], [4, 6], -1),
      ([6], [5, 6], 1), ([2, 3, 1], [1, 3, 4], 1), ([5, 1], [5, 1], 1),
    ] as [([Int], [Int], Int)])
  func gradientMatchesFiniteDifferences(_ s1: [Int], _ s2: [Int], _ axis: Int) throws {
    let a = randomTensor(s1, seed: 3, as: Double.self)
    let b = randomTensor(s2, seed: 4, as: Double.self)
    let (value, pullback) = try cosineSimilarityWithPullback(a, b, axis: axis)
    let w = randomTensor(value.shape, seed: 5, as: Double.self)
    let (ga, gb) = try pullback(w)
    let fa = finiteDifferenceGradient(a) { try! weightedSum(cosineSimilarity($0, b, axis: axis), w) }
    let fb = finiteDifferenceGradient(b) { try! weightedSum(cosineSimilarity(a, $0, axis: axis), w) }
    #expect(allClose(ga, fa, rtol: 1e-6, atol: 1e-8))
    #expect(allClose(gb, fb, rtol: 1e-6, atol: 1e-8))
  }

  @Test func zeroVectorGivesZeroAndFiniteGradient() throws {
    let a = try Tensor<Double>(rows: [[0, 0, 0]])
    let b = try Tensor<Double>(rows: [[3, 0, 4]])
    let (v, pb) = try cosineSimilarityWithPullback(a, b)
    #expect(v.scalars == [0])
    let (ga, gb) = try pb(Tensor([1]))
    // At x1 = 0 the exact gradient of the clamped formula is x̂2/eps; x2's gradient is 0.
    #expect(allClose(ga, try Tensor(rows: [[0.6e8, 0, 0.8e8]]), rtol: 1e-12, atol: 0))
    #expect(gb.scalars.allSatisfy { $0 == 0 })
    // Float: no NaN either.
    let (_, pf) = try cosineSimilarityWithPullback(a.converted(to: Float.self), b.converted(to: Float.self))
    #expect(try pf(Tensor([1])).0.scalars.allSatisfy { $0.isFinite })
  }

  @Test func gradientWhereTheEpsFloorIsActiveMatchesFiniteDifferences() throws {
    // ‖x1‖ ≈ 3e-4 < eps = 1e-3: the norm is constant there, so ∂cos/∂x1 = x2/(eps·‖x2‖).
    let a = try Tensor<Double>(rows: [[1e-4, -2e-4, 2e-4]])
    let b = try Tensor<Double>(rows: [[0.5, 1, -2]])
    let (_, pb) = try cosineSimilarityWithPullback(a, b, eps: 1e-3)
    let (ga, _) = try pb(Tensor([1]))
    let fa = finiteDifferenceGradient(a, h: 1e-9) { try! cosineSimilarity($0, b, eps: 1e-3).scalars[0] }
    #expect(allClose(ga, fa, rtol: 1e-6, atol: 1e-9))
  }

  @Test(arguments: [Float(1e20), Float(1e-20), Float(3e38), Float(1e-40)])
  func extremeFloatMagnitudesAreExact(_ scale: Float) throws {
    // Uniform in [−1, 1], so that even 3e38 × base stays finite.
    var rng = SeededGenerator(seed: 9)
    let base = try Tensor<Double>(
      shape: [5, 64], scalars: (0..<320).map { _ in Double.random(in: -1...1, using: &rng) })
    let a = Tensor<Float>(uncheckedShape: base.shape, scalars: base.scalars.map { Float($0) * scale })
    let b = Tensor<Float>(uncheckedShape: base.shape, scalars: base.scalars.map { Float($0) * scale })
    let c = try cosineSimilarity(a, b, eps: 0)
    #expect(c.scalars.allSatisfy { $0 == 1 })  // exact: x·x / ‖x‖² rounds to 1
    let r = try Tensor<Double>(shape: [5, 64], scalars: (0..<320).map { _ in Double.random(in: -1...1, using: &rng) })
    let bb = Tensor<Float>(uncheckedShape: r.shape, scalars: r.scalars.map { Float($0) * scale })
    let want = Reference.cosineSimilarity(a.converted(), bb.converted(), eps: 0)
    #expect(allClose(try cosineSimilarity(a, bb, eps: 0), want, rtol: 1e-6, atol: 1e-7))
  }

  @Test(arguments: [1e300, 1e-300, 1e-310, 1e154, 1e-160])
  func extremeDoubleMagnitudesAreRescaledNotOverflowed(_ scale: Double) throws {
    let a = randomTensor([4, 33], seed: 11, as: Double.self)
    let b = randomTensor([4, 33], seed: 12, as: Double.self)
    let want = Reference.cosineSimilarity(a, b, eps: 0)
    let sa = Tensor<Double>(uncheckedShape: a.shape, scalars: a.scalars.map { $0 * scale })
    let sb = Tensor<Double>(uncheckedShape: b.shape, scalars: b.scalars.map { $0 * scale })
    let tol = scale < 1e-300 ? 1e-9 : 1e-14  // subnormal inputs carry fewer significant bits
    #expect(allClose(try cosineSimilarity(sa, sb, eps: 0), want, rtol: tol, atol: tol))
    // Gradients are scale-covariant: ∂cos/∂(s·x) = (1/s)·∂cos/∂x. Below ~1e-306 the true
    // gradient (~1/‖x‖) exceeds Double's range, so only the values are checked there.
    guard scale >= 1e-300 else { return }
    let (_, p) = try cosineSimilarityWithPullback(a, b, eps: 0)
    let (_, ps) = try cosineSimilarityWithPullback(sa, sb, eps: 0)
    let w = try Tensor<Double>(shape: [4], repeating: 1)
    let g = try p(w).0
    let gs = try ps(w).0
    let scaled = Tensor<Double>(uncheckedShape: g.shape, scalars: gs.scalars.map { $0 * scale })
    #expect(allClose(scaled, g, rtol: 1e-9, atol: 1e-12))
  }

  @Test func rangeIsNeverExceeded() throws {
    // Parallel and anti-parallel float rows, where unclamped float arithmetic gives 1.0000001.
    for seed in 0..<20 as Range<UInt64> {
      let x = randomTensor([16, 300], seed: seed, as: Float.self)
      let neg = Tensor<Float>(uncheckedShape: x.shape, scalars: x.scalars.map { -$0 * 3 })
      #expect(try cosineSimilarity(x, x).scalars.allSatisfy { $0 <= 1 && $0 >= -1 })
      #expect(try cosineSimilarity(x, neg).scalars.allSatisfy { $0 >= -1 })
    }
  }

  @Test(arguments: 0..<8 as Range<UInt64>)
  func properties(_ seed: UInt64) throws {
    let a = randomTensor([6, 17], seed: seed, as: Double.self)
    let b = randomTensor([6, 17], seed: seed + 100, as: Double.self)
    let ab = try cosineSimilarity(a, b)
    let ba = try cosineSimilarity(b, a)
    #expect(allClose(ab, ba, rtol: 0, atol: 1e-15))  // symmetry
    let scaled = Tensor<Double>(uncheckedShape: a.shape, scalars: a.scalars.map { $0 * 7.5 })
    #expect(allClose(try cosineSimilarity(scaled, b), ab, rtol: 1e-14, atol: 1e-15))  // scale invariance
    #expect(allClose(try cosineSimilarity(a, a), Tensor<Double>(Array(repeating: 1, count: 6)), rtol: 0, atol: 1e-15))
    #expect(ab.scalars.allSatisfy { abs($0) <= 1 })
  }

  @Test func dimensionOneIsTheSignOfTheProduct() throws {
    let a = Tensor<Double>([2, -3, 0, 5]).reshapedUnchecked([4, 1])
    let b = Tensor<Double>([4, 1, 2, -1e-3]).reshapedUnchecked([4, 1])
    #expect(try cosineSimilarity(a, b).scalars == [1, -1, 0, -1])
  }

  @Test func float16IsAccurateAndZeroSafe() throws {
    let a = randomTensor([8, 40], seed: 21, as: Float16.self)
    let b = randomTensor([8, 40], seed: 22, as: Float16.self)
    let want = Reference.cosineSimilarity(a.converted(), b.converted())
    #expect(allClose(try cosineSimilarity(a, b), want, rtol: 1e-3, atol: 1e-3))
    let z = try Tensor<Float16>(shape: [2, 40], repeating: 0)
    #expect(try cosineSimilarity(z, z).scalars == [0, 0])
    let big = try Tensor<Float16>(shape: [1, 64], repeating: .greatestFiniteMagnitude)
    #expect(try cosineSimilarity(big, big).scalars == [1])
  }

  @Test func errorsNameTheShapesAxisAndEps() throws {
    let a = try Tensor<Float>(shape: [3, 4], repeating: 1)
    let b = try Tensor<Float>(shape: [2, 4], repeating: 1)
    #expect(throws: CosineError.shapeMismatch(operation: "cosine similarity", [3, 4], [2, 4])) {
      try cosineSimilarity(a, b)
    }
    #expect(throws: CosineError.axisOutOfRange(axis: 2, rank: 2)) { try cosineSimilarity(a, a, axis: 2) }
    #expect(throws: CosineError.self) { try cosineSimilarity(a, a, eps: -1) }
    let message = CosineError.shapeMismatch(operation: "cosine similarity", [3, 4], [2, 4]).description
    #expect(message.contains("[3, 4]") && message.contains("[2, 4]"))
  }

  @Test func nanPropagates() throws {
    let a = try Tensor<Double>(rows: [[1, .nan], [1, 2]])
    let b = try Tensor<Double>(rows: [[1, 1], [1, 2]])
    let c = try cosineSimilarity(a, b)
    #expect(c.scalars[0].isNaN)
    #expect(isClose(c.scalars[1], 1, rtol: 0, atol: 1e-15))
  }

  @Test func threadCountDoesNotChangeResults() throws {
    let a = randomTensor([2000, 300], seed: 31, as: Float.self)
    let b = randomTensor([2000, 300], seed: 32, as: Float.self)
    let one = try withThreadCount(1) { try cosineSimilarity(a, b) }
    #expect(try withThreadCount(2) { try cosineSimilarity(a, b) } == one)
  }
}

extension Tensor {
  func reshapedUnchecked(_ s: [Int]) -> Tensor { try! reshaped(s) }
}

@Suite struct FloatAccuracyTests {
  /// Float results stay within 1e-6 and one ulp of a Double reference for D up to 4096 — random rows and
  /// nearly (anti-)parallel rows, where float arithmetic is hardest — and never leave [−1, 1].
  @Test(arguments: [1, 7, 64, 768, 1000, 4096])
  func floatWithinOneMillionthOfDouble(_ d: Int) throws {
    var rng = SeededGenerator(seed: UInt64(d))
    let rows = 24
    var a = [Float]()
    var b = [Float]()
    for r in 0..<rows {
      let x = (0..<d).map { _ in Float(rng.normal()) }
      let y: [Float]
      switch r % 3 {
      case 0: y = (0..<d).map { _ in Float(rng.normal()) }
      case 1: y = x.map { $0 * 3 + Float(rng.normal()) * 1e-4 }  // nearly parallel
      default: y = x.map { -$0 * 0.5 }  // exactly anti-parallel
      }
      a += x
      b += y
    }
    let ta = try Tensor<Float>(shape: [rows, d], scalars: a)
    let tb = try Tensor<Float>(shape: [rows, d], scalars: b)
    let got = try cosineSimilarity(ta, tb)
    let want = Reference.cosineSimilarity(ta.converted(), tb.converted())
    #expect(allClose(got, want, rtol: 0, atol: 1e-6))
    // Formed in Double and rounded once: the correctly rounded Float, or (when the Double
    // summation error straddles a rounding boundary) its neighbour.
    let ulps = zip(got.scalars, want.scalars).map { ulpDistance($0, Float($1)) }
    #expect(ulps.allSatisfy { $0 <= 1 }, "ulp distances \(ulps.filter { $0 > 0 })")
    #expect(got.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
    let loss = try CosineLoss(.cosineDistance(), reduction: .none)(ta, tb)
    #expect(loss.scalars.allSatisfy { $0 >= 0 && $0 <= 2 })
  }
}
