import CosineKit

/// Row-wise benchmarks: memory-bound, so each reports bytes moved.
enum RowwiseBenchmarks {
  static let rows = 65536, dim = 768

  /// `rowwise_f32`: cosine similarity along the last axis of two [65536, 768] Float inputs.
  /// Reads both inputs once: 2 · 65536 · 768 · 4 bytes.
  static let rowwiseF32 = Benchmark(
    name: "rowwise_f32", summary: "cosine similarity, 2 × [65536, 768] Float, last axis",
    bytes: Double(2 * rows * dim * 4), flops: 0
  ) {
    let a = try Tensor<Float>(shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 1))
    let b = try Tensor<Float>(shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 2))
    return { _ = try cosineSimilarity(a, b) }
  }

  /// `rowwise_f16`: as `rowwise_f32` with Float16 storage: 2 · 65536 · 768 · 2 bytes.
  static let rowwiseF16 = Benchmark(
    name: "rowwise_f16", summary: "cosine similarity, 2 × [65536, 768] Float16, last axis",
    bytes: Double(2 * rows * dim * 2), flops: 0
  ) {
    let a = try Tensor<Float16>(
      shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 1).map { Float16($0) })
    let b = try Tensor<Float16>(
      shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 2).map { Float16($0) })
    return { _ = try cosineSimilarity(a, b) }
  }

  /// `loss_fwd_bwd_f32`: `mean(1 − cos)` over 65536 rows of 768 Floats and its gradients with
  /// respect to both inputs, as in a training loop: the gradient tensors are kept between steps
  /// and overwritten. Forward reads both inputs; backward reads them again and writes two
  /// gradients: 6 · 65536 · 768 · 4 bytes.
  static let lossForwardBackwardF32 = Benchmark(
    name: "loss_fwd_bwd_f32", summary: "mean(1 − cos) and both gradients (kept buffers), 2 × [65536, 768] Float",
    bytes: Double(6 * rows * dim * 4), flops: 0
  ) {
    let a = try Tensor<Float>(shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 1))
    let b = try Tensor<Float>(shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 2))
    let loss = CosineLoss(.cosineDistance())
    var ga = Tensor<Float>(scalar: 0)
    var gb = ga
    return { _ = try loss.valueWithGradient(a, b, gradientTrue: &ga, gradientPred: &gb) }
  }

  /// `loss_fwd_bwd_f32_alloc`: as `loss_fwd_bwd_f32`, with new gradient tensors every call
  /// (each costs the operating system's page faults and zeroing on first touch).
  static let lossForwardBackwardF32Alloc = Benchmark(
    name: "loss_fwd_bwd_f32_alloc", summary: "as loss_fwd_bwd_f32, new gradient tensors each call",
    bytes: Double(6 * rows * dim * 4), flops: 0
  ) {
    let a = try Tensor<Float>(shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 1))
    let b = try Tensor<Float>(shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 2))
    let loss = CosineLoss(.cosineDistance())
    return { _ = try loss.valueWithGradient(a, b) }
  }

  /// `rowwise_f32_axis0`: cosine similarity along axis 0 of two [768, 65536] Float inputs (the
  /// transposed layout): the same bytes as `rowwise_f32`, to show other axes keep their speed.
  static let rowwiseF32Axis0 = Benchmark(
    name: "rowwise_f32_axis0", summary: "cosine similarity, 2 × [768, 65536] Float, axis 0",
    bytes: Double(2 * rows * dim * 4), flops: 0
  ) {
    let a = try Tensor<Float>(shape: [dim, rows], scalars: BenchRandom.floats(rows * dim, seed: 1))
    let b = try Tensor<Float>(shape: [dim, rows], scalars: BenchRandom.floats(rows * dim, seed: 2))
    return { _ = try cosineSimilarity(a, b, axis: 0) }
  }

  /// `normalize_f32`: L2 normalization of [65536, 768] Floats: two reads and one write.
  static let normalizeF32 = Benchmark(
    name: "normalize_f32", summary: "L2 normalize, [65536, 768] Float, last axis",
    bytes: Double(3 * rows * dim * 4), flops: 0
  ) {
    let a = try Tensor<Float>(shape: [rows, dim], scalars: BenchRandom.floats(rows * dim, seed: 1))
    return { _ = try l2Normalize(a) }
  }

  static let all = [
    rowwiseF32, lossForwardBackwardF32, lossForwardBackwardF32Alloc, rowwiseF16, rowwiseF32Axis0, normalizeF32,
  ]
}
