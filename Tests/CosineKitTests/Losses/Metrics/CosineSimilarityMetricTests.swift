import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct CosineSimilarityMetricTests {
  @Test func metricIsTheWeightedRunningMeanOfCos() throws {
    var metric = CosineSimilarityMetric()
    #expect(metric.result == 0)
    let a = randomTensor([4, 5], seed: 90, as: Double.self)
    let b = randomTensor([4, 5], seed: 91, as: Double.self)
    let c = try cosineSimilarity(a, b)
    try metric.update(a, b, sampleWeight: Tensor([1, 2, 0, 1]))
    try metric.update(a, a)
    let want = (c.scalars[0] + 2 * c.scalars[1] + c.scalars[3] + 4) / 8
    #expect(isClose(metric.result, want, rtol: 1e-14, atol: 1e-15))
    metric.reset()
    #expect(metric.result == 0)
  }
}
