import Testing

@testable import CosineKit

@Suite struct CosineDotTests {
  @Test(arguments: [true, false])
  func dotLayerValueAndGradient(_ normalize: Bool) throws {
    let a = randomTensor([3, 5], seed: 95, as: Double.self)
    let b = randomTensor([3, 5], seed: 96, as: Double.self)
    let dot = CosineDot(normalize: normalize)
    let (v, pb) = try dot.valueWithPullback(a, b)
    let (_, rows) = Reference.rows(a, b, axis: -1)
    let want = rows.map { normalize ? Reference.cosine($0.0, $0.1, eps: 1e-7) : Reference.dot($0.0, $0.1) }
    #expect(allClose(v, Tensor(want), rtol: 1e-14, atol: 1e-15))
    let w = Tensor<Double>([1, -2, 0.5])
    let (ga, gb) = try pb(w)
    #expect(allClose(ga, finiteDifferenceGradient(a) { try! weightedSum(dot($0, b), w) }, rtol: 1e-6, atol: 1e-8))
    #expect(allClose(gb, finiteDifferenceGradient(b) { try! weightedSum(dot(a, $0), w) }, rtol: 1e-6, atol: 1e-8))
  }
}
