import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

#if canImport(_Differentiation)
  import _Differentiation
#endif

/// The snippets of the article "Porting from Keras and PyTorch", verbatim, each followed by
/// checks of its results against the float64 reference of the test support.
@Suite struct PortingSnippetTests {
  @Test func kerasLossMetricAndDot() throws {
    // keras.losses.cosine_similarity
    let yTrue = Tensor<Float>([[0, 1], [1, 1], [1, 1]])
    let yPred = Tensor<Float>([[1, 0], [1, 1], [-1, -1]])
    let perSample = try CosineLoss(.keras, reduction: .none)(yTrue, yPred)  // [-0, -1, 1]

    let cosines = Reference.cosineSimilarity(yTrue.converted(), yPred.converted(), eps: 1e-7)
    #expect(allClose(perSample, -cosines, rtol: 0, atol: 1e-6))

    // keras.losses.CosineSimilarity (loss)
    let loss = CosineLoss(.keras)
    let value = try loss(yTrue, yPred, sampleWeight: Tensor<Float>([1, 0.5, 2]))  // rank 0
    let (v, gradTrue, gradPred) = try loss.valueWithGradient(yTrue, yPred)  // and its gradients

    let weighted = zip(cosines.scalars, [1.0, 0.5, 2]).reduce(0) { $0 - $1.0 * $1.1 } / 3
    #expect(isClose(Double(value.item()), weighted, rtol: 1e-6, atol: 1e-6))
    #expect(isClose(Double(v.item()), -cosines.scalars.reduce(0, +) / 3, rtol: 1e-6, atol: 1e-6))
    #expect(gradTrue.shape == [3, 2] && gradPred.shape == [3, 2])

    // keras.metrics.CosineSimilarity (metric)
    var metric = CosineSimilarityMetric()
    try metric.update(yTrue, yPred)
    let mean = metric.result  // (0 + 1 − 1) / 3

    #expect(isClose(mean, cosines.scalars.reduce(0, +) / 3, rtol: 0, atol: 1e-6))

    // keras.layers.Dot(axes=1, normalize=True)
    let a = Tensor<Float>([[1, 0], [1, 1]])
    let b = Tensor<Float>([[1, 1], [-1, -1]])
    let cos = try CosineDot(keepsAxis: true)(a, b)  // [[0.70710677], [-1]]
    let labels = Tensor<Float>([[1], [0]])
    let (mse, pullback) = try MeanSquaredError().valueWithPullback(labels, cos)
    let (_, gradCos) = try pullback(Tensor(scalar: 1))  // back into the Dot layer

    let ref = Reference.cosineSimilarity(a.converted(), b.converted(), eps: 1e-7)
    #expect(cos.shape == [2, 1] && allClose(cos.reshaped([-1]), ref, rtol: 0, atol: 1e-6))
    let errors = zip(ref.scalars, [1.0, 0]).map { $0.0 - $0.1 }
    #expect(isClose(Double(mse.item()), errors.reduce(0) { $0 + $1 * $1 } / 2, rtol: 1e-6, atol: 1e-7))
    #expect(allClose(gradCos, try Tensor<Double>(shape: [2, 1], scalars: errors.map { $0 }), rtol: 1e-6, atol: 1e-6))
  }

  @Test func pytorchFunctionsAndLosses() throws {
    let a = Tensor<Float>([[1, 0], [1, 1]])
    let b = Tensor<Float>([[1, 1], [-1, -1]])

    // torch.nn.functional.cosine_similarity
    let x1 = Tensor<Float>.random(normal: [4, 8], seed: 1)
    let x2 = Tensor<Float>.random(normal: [1, 8], seed: 2)  // broadcast against x1
    let c = try cosineSimilarity(x1, x2, axis: 1, eps: 1e-8)  // [4]
    let (value, back) = try cosineSimilarityWithPullback(x1, x2, axis: 1)
    let (d1, d2) = try back(Tensor.ones(value.shape))  // x1.grad, x2.grad of c.sum()

    #expect(allClose(c, Reference.cosineSimilarity(x1.converted(), x2.converted(), axis: 1), rtol: 0, atol: 1e-6))
    #expect(d1.shape == [4, 8] && d2.shape == [1, 8])

    // torch.nn.functional.normalize
    let x = Tensor<Float>([[3, 4], [0, 0]])
    let unit = try l2Normalize(x, axis: 1)  // [[0.6, 0.8], [0, 0]]

    #expect(allClose(unit, Tensor<Double>([[0.6, 0.8], [0, 0]]), rtol: 1e-6, atol: 0))

    // torch.nn.CosineEmbeddingLoss
    let embedding = CosineLoss(.embedding(margin: 0.5))
    let y = Tensor<Float>([1, -1])
    let l = try embedding(a, b, target: y)

    let rows = [([1.0, 0], [1.0, 1]), ([1.0, 1], [-1.0, -1])]
    let e0 = 1 - Reference.embeddingCosine(rows[0].0, rows[0].1)
    let e1 = max(0, Reference.embeddingCosine(rows[1].0, rows[1].1) - 0.5)
    #expect(isClose(Double(l.item()), (e0 + e1) / 2, rtol: 1e-6, atol: 1e-7))

    // A PyTorch CosineSimilarityLoss module with backward
    let distance = CosineLoss(.cosineDistance())  // 1 − cos, mean over samples
    let (lossValue, gradA, gradB) = try distance.valueWithGradient(a, b)

    let cosAB = Reference.cosineSimilarity(a.converted(), b.converted())
    #expect(isClose(Double(lossValue.item()), cosAB.scalars.reduce(0) { $0 + 1 - $1 } / 2, rtol: 1e-6, atol: 1e-7))
    #expect(gradA.shape == a.shape && gradB.shape == b.shape)

    #if canImport(_Differentiation)
      let g = gradient(at: a) { a in (1 - a.cosineSimilarity(to: b)).mean().item() }

      #expect(allClose(g, gradA, rtol: 1e-6, atol: 1e-6))
    #endif
  }

  @Test func sentenceTransformers() throws {
    // sentence-transformers CosineSimilarityLoss
    let u = Tensor<Float>.random(normal: [3, 8], seed: 3)
    let w = Tensor<Float>.random(normal: [3, 8], seed: 4)
    let stLoss = try CosineLoss(.mse())(u, w, target: Tensor<Float>([0.9, 0.1, 0.5]))

    let cosUW = Reference.cosineSimilarity(u.converted(), w.converted())
    let want = zip(cosUW.scalars, [0.9, 0.1, 0.5]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 3
    #expect(isClose(Double(stLoss.item()), want, rtol: 1e-5, atol: 1e-7))

    // sentence-transformers util.cos_sim and util.semantic_search
    let corpus = Tensor<Float>.random(normal: [100, 8], seed: 5)
    let queries = corpus[..<3] + 0.01
    let all = try cosineSimilarityMatrix(queries, corpus)  // [3, 100]
    let index = try CosineIndex(corpus)  // prepare once
    let results = try index.search(queries, k: 2)
    for hit in results.hits(forQuery: 0) { print(hit.index, hit.score) }  // corpus_id, score

    #expect(all.shape == [3, 100])
    for q in 0..<3 {
      let scores = (0..<100).map { Reference.cosine(queries[q].converted().scalars, corpus[$0].converted().scalars) }
      let order = (0..<100).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
      #expect(results.hits(forQuery: q).map(\.index) == Array(order.prefix(2)))
      #expect(results.hits(forQuery: q)[0].index == q)
    }
  }
}
