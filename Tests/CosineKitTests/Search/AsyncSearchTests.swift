import Dispatch
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

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

  // Cancellation is tested without clocks: a test that cancels after a sleep depends on the
  // sleeping task being resumed in time, which a loaded machine (or a sanitizer run whose other
  // tests hold the cooperative threads) does not promise, and on the work outlasting the sleep.

  /// The matrix asks between blocks of rows and stops at the first yes, before the next block.
  @Test func matrixStopsAtTheFirstYesBetweenBlocks() throws {
    let a = randomTensor([600, 16], seed: 41, as: Float.self)  // with blockWork 1: blocks of 256 rows, 3
    let b = randomTensor([50, 16], seed: 42, as: Float.self)
    let asked = LockedValue(0)
    #expect(throws: CancellationError.self) {
      _ = try PackedMatrix.matrix(
        a, b, eps: 1e-8,
        shouldStop: {
          asked.withLock {
            $0 += 1; return $0 >= 2
          }
        }, blockWork: 1)
    }
    #expect(asked.load() == 2)
    asked.store(0)
    let whole = try PackedMatrix.matrix(
      a, b, eps: 1e-8,
      shouldStop: {
        asked.withLock {
          $0 += 1; return false
        }
      }, blockWork: 1)
    #expect(asked.load() == 3)
    #expect(whole == (try cosineSimilarityMatrix(a, b)))
  }

  /// The search asks before each piece of queries and stops at the first yes.
  @Test func searchStopsAtTheFirstYesBetweenPieces() throws {
    let index = try CosineIndex(randomTensor([200, 16], seed: 43, as: Float.self))
    let queries = randomTensor([250, 16], seed: 44, as: Float.self)
    let asked = LockedValue(0)
    #expect(throws: CancellationError.self) {
      _ = try index.search(queries, k: 3, piece: 100) {
        asked.withLock {
          $0 += 1; return $0 >= 2
        }
      }
    }
    #expect(asked.load() == 2)
    asked.store(0)
    let whole = try index.search(queries, k: 3, piece: 100) {
      asked.withLock {
        $0 += 1; return false
      }
    }
    #expect(asked.load() == 3)
    #expect(whole == (try index.search(queries, k: 3)))
  }

  /// A task cancelled while its work runs off the pool: the work's flag turns true, and the
  /// task ends with `CancellationError`. The cancel comes from a Dispatch thread once the work
  /// has started, so no cooperative thread has to be free for it.
  @Test func cancellingTheTaskRaisesTheFlagOfRunningWork() async throws {
    let started = LockedValue(false)
    let task = Task {
      try await OffPool.run("test") { isCancelled -> Int in
        started.store(true)
        var waited = 0
        while !isCancelled() {
          guard waited < 600_000 else { return -1 }  // 10 minutes: the flag never rose
          usleep(1_000)
          waited += 1
        }
        throw CancellationError()
      }
    }
    DispatchQueue.global().async {
      while !started.load() { usleep(1_000) }
      task.cancel()
    }
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
