import CosineKit

extension SearchBenchmarks {
  /// `ivf_search_int8`: top-10 of one query in an inverted-file index of 200000 × 384 clustered
  /// Float rows (1000 centers, noise of the centers' scale), 512 lists, int8 codes, nprobe 32
  /// (prepared outside the timed region: k-means, lists). The query scores the 512 centroids,
  /// scans the int8 codes of its 32 lists (about 6 % of the rows) and rescores exactly the panels
  /// the bound cannot exclude. Bytes are counted as the centroids' floats and the scanned codes.
  /// Preparation checks that probing every list gives the exact search's ids and score bits.
  static let ivfSearchInt8 = Benchmark(
    name: "ivf_search_int8",
    summary: "top-10 of 1 query, IVF of 200000 × 384 Float rows, 512 lists, int8, nprobe 32 (prepared)",
    bytes: 512 * 384 * 4 + 200_000 * 384 * 32 / 512, flops: 0
  ) {
    let (n, d, centers) = (200_000, 384, 1000)
    let c = BenchRandom.floats(centers * d, seed: 21)
    let noise = BenchRandom.floats(n * d, seed: 22)
    var rows = [Float](repeating: 0, count: n * d)
    for r in 0..<n {
      let k = (r &* 7919) % centers
      for j in 0..<d { rows[r * d + j] = c[k * d + j] + noise[r * d + j] }
    }
    let corpus = try Tensor<Float>(shape: [n, d], scalars: rows)
    let index = try CosineIndexFile(corpus, quantization: .int8, invertedFile: InvertedFileOptions(lists: 512))
    let q = try Tensor<Float>(shape: [1, d], scalars: BenchRandom.floats(d, seed: 23))
    let all = try index.search(q, k: 10, nprobe: 512)
    let exact = try CosineIndex(corpus).search(q, k: 10)
    guard all.indices == exact.indices, zip(all.scores, exact.scores).allSatisfy({ $0.bitPattern == $1.bitPattern })
    else {
      throw CosineError.invalidArgument("ivf_search_int8: probing every list differs from the exact search")
    }
    return { _ = try index.search(q, k: 10, nprobe: 32) }
  }
}
