import Testing

@testable import CosineKit

@Suite struct AsyncSearchTests {
  @Test func asyncFormsEqualTheSynchronousOnes() async throws {
    let corpus = randomTensor([500, 24], seed: 31, as: Float.self)
    let queries = randomTensor([300, 24], seed: 32, as: Float.self)
    let index = try CosineIndex(corpus)
    let sync = try { try index.search(queries, k: 7) }()
    let fromAsync = try await index.search(queries, k: 7)
    #expect(fromAsync == sync)
    let (ids, scores) = try await topKSearch(queries: queries, corpus: corpus, k: 3)
    let (wantIds, wantScores) = try { try topKSearch(queries: queries, corpus: corpus, k: 3) }()
    #expect(ids == wantIds && scores == wantScores)
    let m = try await cosineSimilarityMatrix(queries, corpus)
    #expect(m == (try { try cosineSimilarityMatrix(queries, corpus) }()))
    let h = try await cosineSimilarityMatrix(queries.converted(to: Float16.self), corpus.converted(to: Float16.self))
    #expect(
      h
        == (try {
          try cosineSimilarityMatrix(queries.converted(to: Float16.self), corpus.converted(to: Float16.self))
        }()))
  }

  @Test func asyncErrorsAreTheSynchronousOnes() async {
    let index = try! CosineIndex(Tensor<Float>.zeros([4, 3]))
    await #expect(throws: CosineError.invalidArgument("top-k must be >= 0, got -1")) {
      try await index.search(Tensor<Float>.zeros([1, 3]), k: -1)
    }
    await #expect(throws: CosineError.self) { try await index.search(Tensor<Float>.zeros([1, 2]), k: 1) }
    await #expect(throws: CosineError.self) {
      try await cosineSimilarityMatrix(Tensor<Float>.zeros([1, 2]), Tensor<Float>.zeros([1, 3]))
    }
  }

  @Test func cancellationStopsALongMatrix() async throws {
    // 4·10¹⁰ multiply-adds: seconds on two idle cores, far longer than the 0.2 s before the
    // cancellation, so only a check between blocks can end it with CancellationError (a run to
    // the end returns the matrix instead). No wall-clock bound: the machine may be loaded.
    let a = Tensor<Float>.zeros([2_000, 2_048])
    let b = Tensor<Float>.zeros([10_000, 2_048])
    let task = Task { try await cosineSimilarityMatrix(a, b) }
    try await Task.sleep(nanoseconds: 200_000_000)
    task.cancel()
    await #expect(throws: CancellationError.self) { _ = try await task.value }
  }

  @Test func cancellationStopsALongSearch() async throws {
    let index = try CosineIndex(Tensor<Float>.zeros([40_000, 256]))
    let queries = Tensor<Float>.zeros([4_000, 256])
    let task = Task { try await index.search(queries, k: 5) }
    try await Task.sleep(nanoseconds: 200_000_000)
    task.cancel()
    await #expect(throws: CancellationError.self) { _ = try await task.value }
  }

  @Test func alreadyCancelledTaskDoesNoWork() async {
    let task = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return try await cosineSimilarityMatrix(Tensor<Float>.zeros([2, 2]), Tensor<Float>.zeros([2, 2]))
    }
    await #expect(throws: CancellationError.self) { _ = try await task.value }
  }
}
