import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Public types are `Sendable`, and calls from many tasks at once give the serial results.
@Suite struct ConcurrencyTests {
  @Test func concurrentCallsMatchSerialCalls() async throws {
    let inputs: [(Tensor<Float>, Tensor<Float>)] = (0..<16).map { i in
      (
        randomTensor([120, 40], seed: UInt64(2 * i), as: Float.self),
        randomTensor([120, 40], seed: UInt64(2 * i + 1), as: Float.self)
      )
    }
    let loss = CosineLoss(.embedding(margin: 0.1))
    let target = Tensor<Float>((0..<120).map { $0 % 2 == 0 ? 1 : -1 })
    func work(_ p: (Tensor<Float>, Tensor<Float>)) throws -> [Tensor<Float>] {
      let (v, g1, g2) = try loss.valueWithGradient(p.0, p.1, target: target)
      return [
        try cosineSimilarity(p.0, p.1), try l2Normalize(p.0), try cosineSimilarityMatrix(p.0, p.1), v, g1, g2,
        try topKSearch(queries: p.0, corpus: p.1, k: 5).scores,
      ]
    }
    let serial = try inputs.map(work)
    let concurrent = try await withThrowingTaskGroup(of: (Int, [Tensor<Float>]).self) { group in
      for round in 0..<3 {
        for (i, p) in inputs.enumerated() { group.addTask { (i + 100 * round, try work(p)) } }
      }
      var out: [Int: [Tensor<Float>]] = [:]
      for try await (i, r) in group { out[i] = r }
      return out
    }
    #expect(concurrent.count == 48)
    for (i, r) in concurrent { #expect(r == serial[i % 100], "input \(i)") }
  }

  @Test func metricsUpdatedInSeparateTasksMergeExactly() async throws {
    // CosineSimilarityMetric is a value type: each task updates its own copy; merging is exact.
    let a = randomTensor([50, 8], seed: 1, as: Double.self)
    let b = randomTensor([50, 8], seed: 2, as: Double.self)
    var whole = CosineSimilarityMetric()
    try whole.update(a, b)
    let parts = try await withThrowingTaskGroup(of: CosineSimilarityMetric.self) { group in
      for i in 0..<5 {
        group.addTask {
          var m = CosineSimilarityMetric()
          let rows = try Tensor<Double>(shape: [10, 8], scalars: Array(a.scalars[i * 80..<(i + 1) * 80]))
          let cols = try Tensor<Double>(shape: [10, 8], scalars: Array(b.scalars[i * 80..<(i + 1) * 80]))
          try m.update(rows, cols)
          return m
        }
      }
      var all: [CosineSimilarityMetric] = []
      for try await m in group { all.append(m) }
      return all
    }
    let total = parts.reduce(0) { $0 + $1.total }
    let weight = parts.reduce(0) { $0 + $1.weight }
    #expect(isClose(total / weight, whole.result, rtol: 1e-14, atol: 1e-15))
  }
}
