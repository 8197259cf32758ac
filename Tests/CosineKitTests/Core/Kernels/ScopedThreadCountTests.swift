import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The public scoped thread count reaches the threads of CosineKit's `async` functions, which
/// run their kernels off the calling task: observed with a ``ParallelProbe``, which records every
/// run of the thread splitter (ranges and threads) made under it, wherever it runs.
@Suite struct ScopedThreadCountTests {
  /// 64 queries against 4096 rows of 64: 2²⁴ multiply-adds, enough for the search to split
  /// over threads whenever it may use more than one.
  static func searchFixture() throws -> (CosineIndex<Float>, Tensor<Float>) {
    let corpus = randomTensor([4_096, 64], seed: 71, as: Float.self)
    let queries = randomTensor([64, 64], seed: 72, as: Float.self)
    return (try CosineIndex(corpus), queries)
  }

  /// The runs of `body` under a fresh probe.
  static func observed<R>(_ body: () async throws -> R) async rethrows -> (R, ParallelProbe.Record) {
    let probe = ParallelProbe()
    let r = try await KernelOverrides.$probe.withValue(probe) { try await body() }
    return (r, probe.record)
  }

  @Test func asyncIndexSearchUnderOneThreadRunsOnOneThread() async throws {
    let (index, queries) = try Self.searchFixture()
    let (one, onOne) = try await Self.observed {
      try await withThreadCount(1) { try await index.search(queries, k: 5) }
    }
    #expect(!onOne.chunkCounts.isEmpty, "the search thread did not carry the caller's overrides")
    #expect(onOne.chunkCounts.allSatisfy { $0 == 1 }, "runs split under a count of 1: \(onOne.chunkCounts)")
    #expect(onOne.threads.count == 1, "\(onOne.threads.count) threads ran kernels under a count of 1")

    // The control: the same search may split, and does under a count of 2, with the same result.
    let (two, onTwo) = try await Self.observed {
      try await withThreadCount(2) { try await index.search(queries, k: 5) }
    }
    #expect(onTwo.chunkCounts.contains(2), "the fixture is too small to split: \(onTwo.chunkCounts)")
    #expect(onTwo.chunkCounts.allSatisfy { $0 <= 2 })
    #expect(one == two)
    let sync = try { try index.search(queries, k: 5) }()
    #expect(one == sync)
  }

  @Test func asyncMatrixAndAnalysisCarryTheCount() async throws {
    let a = randomTensor([512, 64], seed: 73, as: Float.self)
    let (m, onMatrix) = try await Self.observed {
      try await withThreadCount(1) { try await cosineSimilarityMatrix(a, a) }
    }
    #expect(!onMatrix.chunkCounts.isEmpty && onMatrix.chunkCounts.allSatisfy { $0 == 1 })
    #expect(onMatrix.threads.count == 1)
    let syncMatrix = try { try cosineSimilarityMatrix(a, a) }()
    #expect(m == syncMatrix)

    let kmeans = SphericalKMeans(clusters: 6, iterations: 3, seed: 5)
    let (fit, onFit) = try await Self.observed { try await withThreadCount(1) { try await kmeans.fit(a) } }
    #expect(!onFit.chunkCounts.isEmpty, "the analysis thread did not carry the caller's overrides")
    #expect(onFit.chunkCounts.allSatisfy { $0 == 1 } && onFit.threads.count == 1)
    let syncFit = try { try kmeans.fit(a, progress: nil) }()
    #expect(fit.labels == syncFit.labels)
  }

  @Test func countsBelowOneAreOneAndTheScopeEnds() async {
    let outside = CosineKitThreads.effectiveCount
    #expect(withThreadCount(-3) { CosineKitThreads.effectiveCount } == 1)
    let inner = await withThreadCount(2) {
      await Task { withThreadCount(1) { CosineKitThreads.effectiveCount } }.value
    }
    #expect(inner == 1)
    let inherited = await withThreadCount(3) { await Task { CosineKitThreads.effectiveCount }.value }
    #expect(inherited == 3, "unstructured tasks inherit the count")
    #expect(CosineKitThreads.effectiveCount == outside)
  }
}
