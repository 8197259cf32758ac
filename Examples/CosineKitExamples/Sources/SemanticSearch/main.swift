// sentence-transformers' util.semantic_search:
//
//   hits = util.semantic_search(query_embeddings, corpus_embeddings, top_k=3)
//   for hit in hits[0]: print(hit["corpus_id"], hit["score"])
//
// Embeddings here are random vectors; each query is a noisy copy of one corpus row, so its best
// hit is that row.
import CosineKit

func search() async throws {
  let corpus = Tensor<Float>.random(normal: [10_000, 384], seed: 1)
  let sources = [17, 4_242, 9_999]
  var queries = Tensor<Float>.zeros([sources.count, 384])
  for (q, row) in sources.enumerated() {
    queries[q] = corpus[row] + Tensor.random(normal: [384], standardDeviation: 0.1, seed: UInt64(q))
  }

  // Prepare the corpus once (normalized and packed), then search as often as needed.
  let index = try CosineIndex(corpus)
  let results = try await index.search(queries, k: 3)  // off the cooperative thread pool, cancellable
  for q in 0..<results.queryCount {
    let hits = results.hits(forQuery: q).map { "\($0.index) (\($0.score))" }
    print("query \(q) (copy of row \(sources[q])):", hits.joined(separator: ", "))
  }

  // The one-call form: corpus row ids and scores per query.
  let (ids, scores) = try await topKSearch(queries: queries, corpus: corpus, k: 3)
  print("ids:", ids)
  print("scores:", scores)
  guard ids.map({ $0[0] }) == sources else { fatalError("a query did not find the row it was made from") }
}

try await search()
