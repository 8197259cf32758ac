import CosineKit

/// Batch-loss benchmarks: streamed, compute-bound.
enum BatchLossBenchmarks {
  /// `mnrl_fwd_bwd_f32`: MultipleNegativesRankingLoss on 4096 anchors and 4096 positives of
  /// dimension 768 (Float), scale 20, no hard negatives: the value and both gradients. The
  /// scores and the two gradient products are three GEMMs of 2·B·B·D = 25.8 GFLOP each (the
  /// fused pass of `valueWithGradient` computes the gradients without recomputing the scores).
  static let mnrlFwdBwdF32 = Benchmark(
    name: "mnrl_fwd_bwd_f32", summary: "MNRL value + both gradients, B = 4096, D = 768 Float, scale 20",
    bytes: 0, flops: 3 * 2 * 4096 * 4096 * 768
  ) {
    let a = try Tensor<Float>(shape: [4096, 768], scalars: BenchRandom.floats(4096 * 768, seed: 21))
    let p = try Tensor<Float>(shape: [4096, 768], scalars: BenchRandom.floats(4096 * 768, seed: 22))
    let loss = try MultipleNegativesRankingLoss(scale: 20)
    return { _ = try loss.valueWithGradient(a, p) }
  }

  static let all: [Benchmark] = [mnrlFwdBwdF32]
}
