import Dispatch

/// Splitting matrix and search work over ``CosineKitThreads``.
enum SearchParallel {
  /// Calls `body(chunk, range)` on up to ``CosineKitThreads/effectiveCount`` disjoint contiguous
  /// ranges covering `0..<count`, concurrently; `chunk` numbers the ranges from 0 in order.
  /// Below ~1 M element operations in total (`count · costPerItem`) it runs one range inline.
  /// Returns the number of ranges used.
  @discardableResult
  static func forEachChunk(
    _ count: Int, costPerItem: Int, maxChunks: Int = .max, _ body: (Int, Range<Int>) -> Void
  ) -> Int {
    let chunks = chunkCount(count, costPerItem: costPerItem, maxChunks: maxChunks)
    run(count, chunks: chunks, body)
    return chunks
  }

  /// How many ranges ``forEachChunk(_:costPerItem:maxChunks:_:)`` would use.
  static func chunkCount(_ count: Int, costPerItem: Int, maxChunks: Int = .max) -> Int {
    guard count > 0 else { return 0 }
    let total = count.multipliedReportingOverflow(by: Swift.max(1, costPerItem))
    let work = total.overflow ? Int.max : total.partialValue
    return Swift.max(1, Swift.min(CosineKitThreads.effectiveCount, count, maxChunks, work / (1 << 20)))
  }

  /// Calls `body(chunk, range)` on exactly `chunks` balanced ranges of `0..<count`.
  static func run(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
    guard count > 0, chunks > 0 else { return }
    if chunks == 1 {
      body(0, 0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      let box = ChunkBody(body)
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        box.body(c, (count * c / chunks)..<(count * (c + 1) / chunks))
      }
    }
  }

  private struct ChunkBody: @unchecked Sendable {
    let body: (Int, Range<Int>) -> Void
    init(_ body: @escaping (Int, Range<Int>) -> Void) { self.body = body }
  }
}
