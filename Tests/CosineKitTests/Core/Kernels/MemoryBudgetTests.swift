import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Sizes are computed with overflow checks and compared with the memory available before
/// anything is allocated; zero-element results allocate nothing and finish at once.
@Suite struct MemoryBudgetTests {
  @Test func sizeArithmeticIsOverflowChecked() {
    #expect(MemoryBudget.elementCount([1 << 40, 0]) == 0)
    #expect(MemoryBudget.elementCount([0, 1 << 62, 1 << 62]) == 0)
    #expect(MemoryBudget.elementCount([1 << 31, 1 << 31, 4]) == nil)
    #expect(MemoryBudget.elementCount([3, -1]) == nil)
    #expect(MemoryBudget.elementCount([]) == 1)
    #expect(MemoryBudget.bytes(count: Int.max / 2, elementSize: 4) == nil)
    #expect(MemoryBudget.bytes(count: 10, elementSize: 8) == 80)
    #expect(MemoryBudget.availableBytes > 0 && MemoryBudget.availableBytes <= MemoryBudget.physicalBytes)
  }

  @Test func tooBigIsOneErrorNamingShapesAndBytes() throws {
    let huge = MemoryBudget.physicalBytes
    do {
      try MemoryBudget.check(count: huge, elementSize: 8, "the result [\(huge)]")
      Issue.record("expected an error")
    } catch let e as CosineError {
      #expect(e.description.contains("the result [\(huge)] needs"))
      #expect(e.description.contains("bytes"))
    }
    #expect(throws: CosineError.self) { try MemoryBudget.check(count: nil, elementSize: 8, "x") }
    try MemoryBudget.check(count: 1000, elementSize: 8, "small")  // passes
  }

  /// [100000, 1, 8] against [1, 100000, 8]: 10^10 results, refused before allocating.
  @Test func broadcastBombIsRefused() throws {
    let a = try Tensor<Float>(shape: [100_000, 1, 8], repeating: 1)
    let b = try Tensor<Float>(shape: [1, 100_000, 8], repeating: 1)
    do {
      _ = try cosineSimilarity(a, b)
      Issue.record("expected an error")
    } catch let e as CosineError {
      #expect(e.description.contains("[100000, 1, 8] and [1, 100000, 8]"), "\(e)")
      #expect(e.description.contains("[100000, 100000]") && e.description.contains("bytes"), "\(e)")
    }
    #expect(throws: CosineError.self) { _ = try a.adding(b) }
  }

  /// A valid shape of 2^40 rows of nothing: normalize allocates nothing and returns at once;
  /// similarity (a result of 2^40 values) is too big; the matrix of two [2^31, 0] does not trap.
  @Test(.timeLimit(.minutes(1))) func zeroElementShapes() throws {
    let empty = try Tensor<Float>(shape: [1 << 40, 0], scalars: [])
    let n = try l2Normalize(empty)
    #expect(n.shape == [1 << 40, 0] && n.count == 0)
    let (v, pb) = try l2NormalizeWithPullback(empty)
    #expect(try pb(v).shape == [1 << 40, 0])
    #expect(throws: CosineError.self) { _ = try cosineSimilarity(empty, empty) }
    #expect(throws: CosineError.self) { _ = try CosineLoss(.cosineDistance())(empty, empty) }
    let m = try Tensor<Float>(shape: [1 << 31, 0], scalars: [])
    #expect(throws: CosineError.self) { _ = try cosineSimilarityMatrix(m, m) }
    let small = try Tensor<Float>(shape: [0, 5], scalars: [])
    #expect(try cosineSimilarity(small, small).shape == [0])
  }

  /// 2^40 empty corpus rows and one empty query: answered at once (every score is 0).
  @Test(.timeLimit(.minutes(1))) func searchOverEmptyRowsFinishesAtOnce() throws {
    let index = try CosineIndex<Float>(count: 1 << 40, dimension: 0) { _, _ in
      Issue.record("no rows should be read")
    }
    let r = try index.search(try Tensor<Float>(shape: [2, 0], scalars: []), k: 3)
    #expect(r.indices == [0, 1, 2, 0, 1, 2])
    #expect(r.scores == [0, 0, 0, 0, 0, 0])
    let d = try CosineIndex<Double>(count: 2, dimension: 0) { _, _ in }
    #expect(try d.search(try Tensor<Double>(shape: [1, 0], scalars: []), k: 5).indices == [0, 1])
  }

  /// A corpus too large for memory is refused with a message, not a crash in the allocator.
  @Test func packedCorpusIsChecked() {
    #expect(throws: CosineError.self) {
      _ = try CosineIndex<Float>(count: 1 << 40, dimension: 1 << 10) { _, _ in }
    }
  }

  /// eps = 0 on zero rows is defined as 0 (results stay in [−1, 1]), with finite gradients.
  @Test func epsZeroOnZeroRows() throws {
    let a = try Tensor<Double>(rows: [[0, 0, 0], [1, 2, 2]])
    let b = try Tensor<Double>(rows: [[1, 2, 3], [0, 0, 0]])
    let c = try cosineSimilarity(a, b, eps: 0)
    #expect(c.scalars == [0, 0])
    let (_, pb) = try cosineSimilarityWithPullback(a, b, eps: 0)
    let (g1, g2) = try pb(try Tensor(shape: [2], repeating: 1))
    #expect(g1.scalars.allSatisfy(\.isFinite) && g2.scalars.allSatisfy(\.isFinite))
    #expect(try l2Normalize(a, eps: 0).scalars[0..<3].allSatisfy { $0 == 0 })
    let m = try cosineSimilarityMatrix(a, b, eps: 0)
    #expect(m.scalars.allSatisfy { !$0.isNaN && $0 >= -1 && $0 <= 1 })
  }

  /// Float16 gradients at a zero vector (1/eps = 1e8 does not fit in a half) saturate at
  /// ±65504 instead of overflowing to infinity.
  @Test func float16ZeroVectorGradientsStayFinite() throws {
    let a = try Tensor<Float16>(rows: [[0, 0], [1, 0]])
    let b = try Tensor<Float16>(rows: [[1, 1], [0, 1]])
    let (_, pb) = try cosineSimilarityWithPullback(a, b)
    let (g1, g2) = try pb(try Tensor(shape: [2], repeating: 1))
    #expect(g1.scalars.allSatisfy(\.isFinite) && g2.scalars.allSatisfy(\.isFinite))
    #expect(g1.scalars.contains(Float16.greatestFiniteMagnitude))
    // The Double gradient it saturates: 1/(eps·√2) per element, far beyond the half range.
    let (_, pd) = try cosineSimilarityWithPullback(a.converted(to: Double.self), b.converted(to: Double.self))
    #expect(try pd(try Tensor(shape: [2], repeating: 1)).0.scalars[0] > 65504)
  }
}
