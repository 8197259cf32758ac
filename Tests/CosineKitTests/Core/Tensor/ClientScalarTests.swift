import CosineKit
import CosineTestSupport
import Testing

/// A scalar type a client module defines: binary32 values behind a wrapper, so none of the
/// library's kernels know it. `TensorScalar` is public and open to such conformances; the
/// library's entry points must then compute with it correctly (the portable loops, and the
/// packed paths through `Double`), never read its memory as one of its own types or trap.
struct ClientScalar: TensorScalar {
  var v: Float

  init(raw v: Float) { self.v = v }

  static var numpyName: String { "client32" }

  typealias RawSignificand = UInt32
  typealias RawExponent = UInt
  typealias Exponent = Int

  static var exponentBitCount: Int { Float.exponentBitCount }
  static var significandBitCount: Int { Float.significandBitCount }
  var exponentBitPattern: UInt { v.exponentBitPattern }
  var significandBitPattern: UInt32 { v.significandBitPattern }
  var binade: ClientScalar { .init(raw: v.binade) }
  var significandWidth: Int { v.significandWidth }

  init(sign: FloatingPointSign, exponentBitPattern: UInt, significandBitPattern: UInt32) {
    v = Float(sign: sign, exponentBitPattern: exponentBitPattern, significandBitPattern: significandBitPattern)
  }
  init(sign: FloatingPointSign, exponent: Int, significand: ClientScalar) {
    v = Float(sign: sign, exponent: exponent, significand: significand.v)
  }
  init(signOf: ClientScalar, magnitudeOf: ClientScalar) { v = Float(signOf: signOf.v, magnitudeOf: magnitudeOf.v) }
  init(floatLiteral value: Float) { v = value }
  init(integerLiteral value: Int) { v = Float(value) }
  init(_ value: Int) { v = Float(value) }
  init<Source: BinaryInteger>(_ value: Source) { v = Float(value) }
  init?<Source: BinaryInteger>(exactly value: Source) {
    guard let f = Float(exactly: value) else { return nil }
    v = f
  }
  init(_ value: Float) { v = value }
  init(_ value: Double) { v = Float(value) }
  #if arch(x86_64) || arch(i386)
    init(_ value: Float80) { v = Float(value) }
  #endif

  static var radix: Int { 2 }
  static var nan: ClientScalar { .init(raw: .nan) }
  static var signalingNaN: ClientScalar { .init(raw: .signalingNaN) }
  static var infinity: ClientScalar { .init(raw: .infinity) }
  static var greatestFiniteMagnitude: ClientScalar { .init(raw: .greatestFiniteMagnitude) }
  static var pi: ClientScalar { .init(raw: .pi) }
  static var leastNormalMagnitude: ClientScalar { .init(raw: .leastNormalMagnitude) }
  static var leastNonzeroMagnitude: ClientScalar { .init(raw: .leastNonzeroMagnitude) }

  var ulp: ClientScalar { .init(raw: v.ulp) }
  var sign: FloatingPointSign { v.sign }
  var exponent: Int { v.exponent }
  var significand: ClientScalar { .init(raw: v.significand) }
  var magnitude: ClientScalar { .init(raw: v.magnitude) }
  var nextUp: ClientScalar { .init(raw: v.nextUp) }
  var isNormal: Bool { v.isNormal }
  var isFinite: Bool { v.isFinite }
  var isZero: Bool { v.isZero }
  var isSubnormal: Bool { v.isSubnormal }
  var isInfinite: Bool { v.isInfinite }
  var isNaN: Bool { v.isNaN }
  var isSignalingNaN: Bool { v.isSignalingNaN }
  var isCanonical: Bool { v.isCanonical }

  static func + (a: ClientScalar, b: ClientScalar) -> ClientScalar { .init(raw: a.v + b.v) }
  static func - (a: ClientScalar, b: ClientScalar) -> ClientScalar { .init(raw: a.v - b.v) }
  static func * (a: ClientScalar, b: ClientScalar) -> ClientScalar { .init(raw: a.v * b.v) }
  static func / (a: ClientScalar, b: ClientScalar) -> ClientScalar { .init(raw: a.v / b.v) }
  static func += (a: inout ClientScalar, b: ClientScalar) { a.v += b.v }
  static func -= (a: inout ClientScalar, b: ClientScalar) { a.v -= b.v }
  static func *= (a: inout ClientScalar, b: ClientScalar) { a.v *= b.v }
  static func /= (a: inout ClientScalar, b: ClientScalar) { a.v /= b.v }
  static prefix func - (a: ClientScalar) -> ClientScalar { .init(raw: -a.v) }
  mutating func negate() { v.negate() }
  mutating func formRemainder(dividingBy other: ClientScalar) { v.formRemainder(dividingBy: other.v) }
  mutating func formTruncatingRemainder(dividingBy other: ClientScalar) {
    v.formTruncatingRemainder(dividingBy: other.v)
  }
  mutating func formSquareRoot() { v.formSquareRoot() }
  mutating func addProduct(_ a: ClientScalar, _ b: ClientScalar) { v.addProduct(a.v, b.v) }
  mutating func round(_ rule: FloatingPointRoundingRule) { v.round(rule) }

  func isEqual(to other: ClientScalar) -> Bool { v.isEqual(to: other.v) }
  func isLess(than other: ClientScalar) -> Bool { v.isLess(than: other.v) }
  func isLessThanOrEqualTo(_ other: ClientScalar) -> Bool { v.isLessThanOrEqualTo(other.v) }
  func isTotallyOrdered(belowOrEqualTo other: ClientScalar) -> Bool { v.isTotallyOrdered(belowOrEqualTo: other.v) }
  static func == (a: ClientScalar, b: ClientScalar) -> Bool { a.v == b.v }
  static func < (a: ClientScalar, b: ClientScalar) -> Bool { a.v < b.v }
  func hash(into hasher: inout Hasher) { v.hash(into: &hasher) }

  func distance(to other: ClientScalar) -> ClientScalar { .init(raw: v.distance(to: other.v)) }
  func advanced(by n: ClientScalar) -> ClientScalar { .init(raw: v.advanced(by: n.v)) }
}

@Suite("A client's own TensorScalar")
struct ClientScalarTests {
  /// Seeded standard normal rows, as the client type and as Double (the same values).
  static func rows(_ n: Int, _ d: Int, seed: UInt64) -> (Tensor<ClientScalar>, [[Double]]) {
    let x = randomTensor([n, d], seed: seed, as: Float.self)
    let doubles = (0..<n).map { r in (0..<d).map { Double(x.scalars[r * d + $0]) } }
    return (try! Tensor(shape: [n, d], scalars: x.scalars.map { ClientScalar(raw: $0) }), doubles)
  }

  /// cos(a, b) in Double, the denominator floored at eps (the library's convention).
  static func cosine(_ a: [Double], _ b: [Double], eps: Double) -> Double {
    let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    let na = max(a.reduce(0) { $0 + $1 * $1 }.squareRoot(), eps)
    let nb = max(b.reduce(0) { $0 + $1 * $1 }.squareRoot(), eps)
    return dot / na / nb
  }

  @Test("row-wise cosine similarity matches a Double reference")
  func rowWise() throws {
    let (a, ad) = Self.rows(37, 19, seed: 11)
    let (b, bd) = Self.rows(37, 19, seed: 12)
    let c = try cosineSimilarity(a, b, axis: 1, eps: 1e-8)
    #expect(c.shape == [37])
    for r in 0..<37 {
      let ref = Self.cosine(ad[r], bd[r], eps: 1e-8)
      #expect(isClose(Double(c.scalars[r]), ref, rtol: 4e-6, atol: 4e-7), "row \(r)")
    }
  }

  @Test("the similarity matrix (packed GEMM path) matches a Double reference")
  func matrix() throws {
    let (a, ad) = Self.rows(23, 41, seed: 21)
    let (b, bd) = Self.rows(67, 41, seed: 22)
    let m = try cosineSimilarityMatrix(a, b, eps: 1e-8)
    #expect(m.shape == [23, 67])
    for i in 0..<23 {
      for j in 0..<67 {
        let ref = Self.cosine(ad[i], bd[j], eps: 1e-8)
        #expect(isClose(Double(m.scalars[i * 67 + j]), ref, rtol: 4e-6, atol: 4e-7), "(\(i), \(j))")
      }
    }
  }

  @Test("top-k search (index path) ranks as the Double reference does")
  func search() throws {
    let (q, qd) = Self.rows(5, 33, seed: 31)
    let (c, cd) = Self.rows(300, 33, seed: 32)
    let k = 7
    let r = try topKSearch(queries: q, corpus: c, k: k)
    for i in 0..<5 {
      let ref = cd.map { Self.cosine(qd[i], $0, eps: 1e-8) }
      let order = ref.indices.sorted { ref[$0] != ref[$1] ? ref[$0] > ref[$1] : $0 < $1 }
      #expect(r.indices[i].count == k)
      for (rank, idx) in r.indices[i].enumerated() {
        // Scores are those of the reference rows they name, in the reference's ranking
        // (ties within rounding may swap, so compare scores, not indices).
        #expect(isClose(Double(r.scores.scalars[i * k + rank]), ref[idx], rtol: 4e-6, atol: 4e-7))
        #expect(isClose(ref[idx], ref[order[rank]], rtol: 1e-5, atol: 1e-6), "query \(i) rank \(rank)")
      }
    }
  }

  /// The same values as a Double tensor (exact: the client type holds binary32 values).
  static func asDouble(_ x: Tensor<ClientScalar>) -> Tensor<Double> {
    try! Tensor(shape: x.shape, scalars: x.scalars.map { Double($0.v) })
  }

  @Test("the analyses run in Double for it: the same results as on the Double tensor")
  func analyses() throws {
    let (x, _) = Self.rows(120, 16, seed: 41)
    let xd = Self.asDouble(x)
    let kmeans = SphericalKMeans(clusters: 4, iterations: 5, seed: 3)
    let a = try kmeans.fit(x)
    let b = try kmeans.fit(xd)
    #expect(a.labels == b.labels)
    #expect(
      zip(a.centroids.scalars, b.centroids.scalars).allSatisfy { isClose(Double($0.v), $1, rtol: 1e-7, atol: 1e-8) })
    let o = try knnOutlierScores(x, neighbors: 3)
    let od = try knnOutlierScores(xd, neighbors: 3)
    #expect(zip(o.scalars, od.scalars).allSatisfy { isClose(Double($0.v), $1, rtol: 1e-6, atol: 1e-7) })
    let communities = try communityDetection(x, threshold: 0.3, minCommunitySize: 3)
    #expect(!communities.isEmpty)
    #expect(try communities == communityDetection(xd, threshold: 0.3, minCommunitySize: 3))
  }

  @Test("the MNRL loss and its gradients match those on the Double tensor")
  func mnrl() throws {
    let (a, _) = Self.rows(12, 10, seed: 51)
    let (p, _) = Self.rows(12, 10, seed: 52)
    let loss = try MultipleNegativesRankingLoss()
    let (v, pullback) = try loss.valueWithPullback(a, p, negatives: nil, target: nil)
    let (vd, pullbackD) = try loss.valueWithPullback(Self.asDouble(a), Self.asDouble(p), negatives: nil, target: nil)
    #expect(isClose(Double(v.scalars[0].v), vd.scalars[0], rtol: 1e-5, atol: 1e-6))
    let g = try pullback(Tensor(shape: [], scalars: [ClientScalar(raw: 1)]))
    let gd = try pullbackD(Tensor(shape: [], scalars: [1.0]))
    let scale = gd.first.scalars.map(abs).max() ?? 1
    #expect(g.first.shape == [12, 10])
    #expect(
      zip(g.first.scalars, gd.first.scalars).allSatisfy { isClose(Double($0.v), $1, rtol: 1e-4, atol: 1e-5 * scale) })
    #expect(
      zip(g.second.scalars, gd.second.scalars).allSatisfy { isClose(Double($0.v), $1, rtol: 1e-4, atol: 1e-5 * scale) })
  }
}
