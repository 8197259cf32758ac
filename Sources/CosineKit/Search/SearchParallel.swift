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
    Parallel.chunkCount(count, costPerItem: costPerItem, grain: .blocked, maxChunks: maxChunks)
  }

  /// Calls `body(chunk, range)` on exactly `chunks` balanced ranges of `0..<count`.
  static func run(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
    Parallel.run(count, chunks: chunks, body)
  }
}
