import CosineKit

/// Retrieval benchmarks (all-pairs matrix and top-k search): compute-bound except `search1_f32`.
enum SearchBenchmarks {
  /// `matrix_f32`: the cosine similarity matrix of [2048, 768] and [16384, 768] Float inputs,
  /// norms included (each row normalized while it is packed). 2·M·N·D = 51.5 GFLOP; the
  /// result is 128 MiB.
  static let matrixF32 = Benchmark(
    name: "matrix_f32", summary: "cosine matrix, [2048, 768] × [16384, 768] Float → [2048, 16384]",
    bytes: 0, flops: 2 * 2048 * 16384 * 768
  ) {
    let a = try Tensor<Float>(shape: [2048, 768], scalars: BenchRandom.floats(2048 * 768, seed: 11))
    let b = try Tensor<Float>(shape: [16384, 768], scalars: BenchRandom.floats(16384 * 768, seed: 12))
    return { _ = try cosineSimilarityMatrix(a, b) }
  }

  /// `search_f32`: top-10 of 1000 queries in a 200000 × 384 Float corpus. The index is prepared
  /// outside the timed region (as FAISS's `add`); the queries are normalized inside it.
  /// 2·Q·N·D = 153.6 GFLOP; the prepared corpus is 307 MB.
  static let searchF32 = Benchmark(
    name: "search_f32", summary: "top-10 of 1000 queries, 200000 × 384 Float corpus (index prepared)",
    bytes: 0, flops: 2 * 1000 * 200_000 * 384
  ) {
    let index = try CosineIndex(
      try Tensor<Float>(shape: [200_000, 384], scalars: BenchRandom.floats(200_000 * 384, seed: 13)))
    let q = try Tensor<Float>(shape: [1000, 384], scalars: BenchRandom.floats(1000 * 384, seed: 14))
    return { _ = try index.search(q, k: 10) }
  }

  /// `search1_f32`: top-10 of one query in a 1000000 × 384 Float corpus (index prepared): a
  /// matrix-vector pass, memory-bound. The prepared corpus is 1.536 GB; the search reads its
  /// high halves (768 MB, the bfloat16 prefilter) and rescores the few panels that may hold a
  /// result, so bytes are counted as 768 MB.
  static let search1F32 = Benchmark(
    name: "search1_f32", summary: "top-10 of 1 query, 1000000 × 384 Float corpus (index prepared)",
    bytes: 1_000_000 * 384 * 2, flops: 0
  ) {
    let index = try CosineIndex(
      try Tensor<Float>(shape: [1_000_000, 384], scalars: BenchRandom.floats(1_000_000 * 384, seed: 15)))
    let q = try Tensor<Float>(shape: [1, 384], scalars: BenchRandom.floats(384, seed: 16))
    return { _ = try index.search(q, k: 10) }
  }

  static let all: [Benchmark] = [matrixF32, searchF32, search1F32, search1Int8, ivfSearchInt8]
}
