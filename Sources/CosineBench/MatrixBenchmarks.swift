import CosineKit

/// Matrix-product benchmarks of the training path: compute-bound.
enum MatrixBenchmarks {
  static let n = 2048, k = 768, m = 768

  /// `matmul_f32`: `matmul(a, b)` of [2048, 768] and [768, 768] Float: 2·n·k·m = 2.4 GFLOP.
  static let matmulF32 = Benchmark(
    name: "matmul_f32", summary: "matmul, [2048, 768] · [768, 768] Float",
    bytes: 0, flops: Double(2 * n * k * m)
  ) {
    let a = try Tensor<Float>(shape: [n, k], scalars: BenchRandom.floats(n * k, seed: 31))
    let b = try Tensor<Float>(shape: [k, m], scalars: BenchRandom.floats(k * m, seed: 32))
    return { _ = try matmulChecked(a, b) }
  }

  /// `matmul_f32_wide`: `matmul(a, b)` of [512, 384] and [384, 1024] Float (an embedding batch
  /// through a widening layer): 0.4 GFLOP.
  static let matmulF32Wide = Benchmark(
    name: "matmul_f32_wide", summary: "matmul, [512, 384] · [384, 1024] Float",
    bytes: 0, flops: Double(2 * 512 * 384 * 1024)
  ) {
    let a = try Tensor<Float>(shape: [512, 384], scalars: BenchRandom.floats(512 * 384, seed: 33))
    let b = try Tensor<Float>(shape: [384, 1024], scalars: BenchRandom.floats(384 * 1024, seed: 34))
    return { _ = try matmulChecked(a, b) }
  }

  /// `matmul_f64`: as `matmul_f32` in Double.
  static let matmulF64 = Benchmark(
    name: "matmul_f64", summary: "matmul, [2048, 768] · [768, 768] Double",
    bytes: 0, flops: Double(2 * n * k * m)
  ) {
    let a = try Tensor<Double>(shape: [n, k], scalars: BenchRandom.floats(n * k, seed: 31).map { Double($0) })
    let b = try Tensor<Double>(shape: [k, m], scalars: BenchRandom.floats(k * m, seed: 32).map { Double($0) })
    return { _ = try matmulChecked(a, b) }
  }

  /// `dense_fwd_bwd_f32`: a dense layer 768 → 768 with bias on a [2048, 768] Float batch, its
  /// output and the gradients of input and parameters: three products of 2·n·k·m each.
  static let denseForwardBackwardF32 = Benchmark(
    name: "dense_fwd_bwd_f32", summary: "dense 768 → 768 + bias on [2048, 768] Float: value and gradients",
    bytes: 0, flops: Double(3 * 2 * n * k * m)
  ) {
    let x = try Tensor<Float>(shape: [n, k], scalars: BenchRandom.floats(n * k, seed: 33))
    let w = try Tensor<Float>(shape: [k, m], scalars: BenchRandom.floats(k * m, seed: 34).map { $0 / 28 })
    let bias = try Tensor<Float>(shape: [m], scalars: BenchRandom.floats(m, seed: 35))
    let g = try Tensor<Float>(shape: [n, m], scalars: BenchRandom.floats(n * m, seed: 36))
    let layer = try Dense(weight: w, bias: bias)
    return { _ = try layer.valueWithPullback(x).pullback(g) }
  }

  static let all: [Benchmark] = [matmulF32, matmulF32Wide, matmulF64, denseForwardBackwardF32]
}
