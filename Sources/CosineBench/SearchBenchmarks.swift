/// Retrieval benchmarks (all-pairs matrix and top-k search).
enum SearchBenchmarks {
  static let all: [Benchmark] = []
}
