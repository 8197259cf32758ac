import CosineKit

/// Analyses on top of the search kernels: near-duplicate mining and spherical k-means.
enum AnalysisBenchmarks {
  /// `mine_f32`: paraphrase mining of 50000 × 384 random Float rows, top-10 other rows each
  /// (every row searched against all rows, the row itself excluded), pairs de-duplicated and
  /// sorted. Counted as 2·N²·D = 1.92 TFLOP, the work of a self-search.
  static let mineF32 = Benchmark(
    name: "mine_f32", summary: "paraphrase mining, 50000 × 384 Float, top-10",
    bytes: 0, flops: 2 * 50_000 * 50_000 * 384
  ) {
    let x = try Tensor<Float>(shape: [50_000, 384], scalars: BenchRandom.floats(50_000 * 384, seed: 21))
    return { _ = try paraphraseMining(x, topK: 10) }
  }

  /// `kmeans_f32`: spherical k-means of 100000 × 384 random Float rows, K = 100, 20 iterations,
  /// seed 0, at the defaults: trained on a sample of 256·K = 25600 rows (as FAISS), then every row
  /// assigned. k-means++ initialization included. Counted as the assignments' 2·S·K·D per
  /// iteration plus the final 2·N·K·D (47 GFLOP).
  static let kmeansF32 = Benchmark(
    name: "kmeans_f32", summary: "spherical k-means, 100000 × 384 Float, K = 100, 20 iterations, sampled (default)",
    bytes: 0, flops: 20 * 2 * 25_600 * 100 * 384 + 2 * 100_000 * 100 * 384
  ) {
    let x = try Tensor<Float>(shape: [100_000, 384], scalars: BenchRandom.floats(100_000 * 384, seed: 22))
    return { _ = try SphericalKMeans(clusters: 100, iterations: 20, seed: 0).fit(x) }
  }

  /// `kmeans_all_f32`: `kmeans_f32` trained on every row (`trainingSampleSize: 0`): 2·N·K·D per
  /// iteration (153.6 GFLOP for 20).
  static let kmeansAllF32 = Benchmark(
    name: "kmeans_all_f32", summary: "spherical k-means, 100000 × 384 Float, K = 100, 20 iterations, every row",
    bytes: 0, flops: 20 * 2 * 100_000 * 100 * 384
  ) {
    let x = try Tensor<Float>(shape: [100_000, 384], scalars: BenchRandom.floats(100_000 * 384, seed: 22))
    return { _ = try SphericalKMeans(clusters: 100, iterations: 20, seed: 0, trainingSampleSize: 0).fit(x) }
  }

  static let all: [Benchmark] = [mineF32, kmeansF32, kmeansAllF32]
}
