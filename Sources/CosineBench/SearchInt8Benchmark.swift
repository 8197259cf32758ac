import CosineKit

extension SearchBenchmarks {
  /// `search1_int8`: top-10 of one query in a 1000000 × 384 Float corpus held in an int8 index
  /// (prepared outside the timed region): the query scans the int8 codes (384 MB) with
  /// `vpdpbusd`, bounds every score's quantization error and rescores exactly the rows the bound
  /// cannot exclude. Bytes are counted as the codes. Preparation checks that the results are
  /// those of the exact search (ids and score bits), and fails the benchmark otherwise.
  static let search1Int8 = Benchmark(
    name: "search1_int8", summary: "top-10 of 1 query, 1000000 × 384 Float corpus, int8 index (prepared)",
    bytes: 1_000_000 * 384, flops: 0
  ) {
    let index = try CosineIndexFile(
      try Tensor<Float>(shape: [1_000_000, 384], scalars: BenchRandom.floats(1_000_000 * 384, seed: 15)),
      quantization: .int8)
    let q = try Tensor<Float>(shape: [1, 384], scalars: BenchRandom.floats(384, seed: 16))
    // Nine queries take the exact path (the int8 pass serves up to eight): the first row of
    // their results is the exact answer for q.
    let nine = try Tensor<Float>(shape: [9, 384], scalars: q.scalars + BenchRandom.floats(8 * 384, seed: 17))
    let exact = try index.search(nine, k: 10)
    let fast = try index.search(q, k: 10)
    guard fast.indices == Array(exact.indices[0..<10]),
      zip(fast.scores, exact.scores[0..<10]).allSatisfy({ $0.bitPattern == $1.bitPattern })
    else {
      throw CosineError.invalidArgument("search1_int8: the int8 search differs from the exact search")
    }
    return { _ = try index.search(q, k: 10) }
  }
}
