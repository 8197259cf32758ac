import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Recall@k, accuracy@k, MRR@k and nDCG@k against hand-computed cases and against numbers of
/// sentence-transformers' InformationRetrievalEvaluator (Scripts/make_ir_metrics_case.py).
@Suite struct RetrievalMetricsTests {
  @Test func handComputedRankedLists() throws {
    // Query 0: relevant {2, 1}, found at ranks 2 and 4. Query 1: no relevant row (left out).
    // Query 2: relevant {9}, found first. Query 3: relevant {5}, not in the list.
    let m = try RetrievalMetrics(
      ranked: [[4, 2, 7, 1, 0, 3], [1, 2, 3], [9, 8, 7], [0, 1, 2]], relevant: [[2, 1, 2], [], [9], [5]],
      recallAt: [1, 3, 5], rankAt: [3, 10])
    #expect(m.queryCount == 3)
    let l2 = { (x: Double) in Foundation.log2(x) }
    #expect(isClose(m.recall[1]!, (0 + 1 + 0) / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.recall[3]!, (0.5 + 1 + 0) / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.recall[5]!, (1 + 1 + 0) / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.accuracy[1]!, 1.0 / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.accuracy[3]!, 2.0 / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.mrr[3]!, (0.5 + 1 + 0) / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.mrr[10]!, (0.5 + 1 + 0) / 3, rtol: 1e-15, atol: 0))
    let idcg2 = 1 + 1 / l2(3)
    let q0at3 = (1 / l2(3)) / idcg2
    let q0at10 = (1 / l2(3) + 1 / l2(5)) / idcg2
    #expect(isClose(m.ndcg[3]!, (q0at3 + 1 + 0) / 3, rtol: 1e-14, atol: 0))
    #expect(isClose(m.ndcg[10]!, (q0at10 + 1 + 0) / 3, rtol: 1e-14, atol: 0))
  }

  @Test func pairedSearchOnTheEngine() throws {
    // Query i is close to corpus row i except query 1, closest to row 0 (row 1 second).
    let corpus = try Tensor<Float>(rows: [[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1]])
    let queries = try Tensor<Float>(rows: [[1, 0, 0.01], [1, 0.05, 0], [0, 1, 0.1]])
    let m = try RetrievalMetrics(queries: queries, index: CosineIndex(corpus))
    #expect(m.queryCount == 3)
    #expect(isClose(m.recall[1]!, 2.0 / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.recall[5]!, 1, rtol: 1e-15, atol: 0))
    #expect(isClose(m.mrr[10]!, (1 + 0.5 + 1) / 3, rtol: 1e-15, atol: 0))
    #expect(isClose(m.ndcg[10]!, (1 + 1 / Foundation.log2(3) + 1) / 3, rtol: 1e-14, atol: 0))
  }

  @Test func badInputIsRejected() throws {
    let c = try Tensor<Float>(rows: [[1, 0], [0, 1]])
    let q = try Tensor<Float>(rows: [[1, 0], [0, 1], [1, 1]])
    #expect(throws: CosineError.self) { try RetrievalMetrics(queries: q, index: CosineIndex(c)) }  // Q > N
    #expect(throws: CosineError.self) {
      try RetrievalMetrics(queries: q, index: CosineIndex(c), relevant: [[0], [2], [1]])  // row 2 of 2
    }
    #expect(throws: CosineError.self) { try RetrievalMetrics(queries: q, index: CosineIndex(c), relevant: [[0]]) }
    #expect(throws: CosineError.self) { try RetrievalMetrics(ranked: [[0]], relevant: [[]]) }  // nothing relevant
    #expect(throws: CosineError.self) { try RetrievalMetrics(ranked: [[0]], relevant: [[0]], recallAt: [0]) }
  }

  struct EvaluatorCase: Decodable {
    var queries: [[Double]]
    var corpus: [[Double]]
    var relevant: [[Int]]
    var recall: [String: Double]
    var accuracy: [String: Double]
    var mrr: [String: Double]
    var ndcg: [String: Double]
  }

  @Test func matchesInformationRetrievalEvaluator() throws {
    let file =
      String(#filePath[..<#filePath.range(of: "/Tests/CosineKitTests/")!.lowerBound])
      + "/Tests/CosineKitTests/Fixtures/ir/evaluator_case.json"
    let c = try JSONDecoder().decode(EvaluatorCase.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
    let q = try Tensor<Double>(rows: c.queries).converted(to: Float.self)  // float32 values, exact
    let corpus = try Tensor<Double>(rows: c.corpus).converted(to: Float.self)
    let m = try RetrievalMetrics(queries: q, index: CosineIndex(corpus), relevant: c.relevant)
    #expect(m.queryCount == c.relevant.filter { !$0.isEmpty }.count)
    for (k, v) in c.recall { #expect(isClose(m.recall[Int(k)!]!, v, rtol: 1e-12, atol: 1e-15), "recall@\(k)") }
    for (k, v) in c.accuracy { #expect(isClose(m.accuracy[Int(k)!]!, v, rtol: 1e-12, atol: 1e-15), "accuracy@\(k)") }
    for (k, v) in c.mrr { #expect(isClose(m.mrr[Int(k)!]!, v, rtol: 1e-12, atol: 1e-15), "mrr@\(k)") }
    for (k, v) in c.ndcg { #expect(isClose(m.ndcg[Int(k)!]!, v, rtol: 1e-12, atol: 1e-15), "ndcg@\(k)") }
  }
}
