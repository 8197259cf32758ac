import CosineCore

/// The memory that the blocks of a corpus too large for memory are prepared into in turn
/// (``CosineIndex/init(contentsOf:rows:eps:reusing:inspecting:)``): split panels for the largest
/// block so far and the reading buffers of the worker threads, kept from block to block. Fresh
/// memory for every block would cost the kernel as much again as reading the file: every page
/// is cleared on its first touch.
///
/// Not for concurrent use: one block at a time, and a block's index must be released before
/// the next block is prepared.
package final class CorpusBlockStorage: @unchecked Sendable {
  private var panels: SplitPanels?
  private var buffers: UnsafeMutableRawPointer?
  private var bufferBytes = 0

  package init() {}

  deinit { buffers?.deallocate() }

  /// Rows of `dimension` elements that the kept panels hold (0 if none).
  package func rows(dimension: Int) -> Int {
    guard let panels, panels.dim == dimension, dimension > 0 else { return 0 }
    return panels.capacity / dimension / panels.width * panels.width
  }

  /// Panels for `rows` rows of `dimension` elements: the kept ones when they hold them, else new
  /// ones (the old released first).
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` when they do not fit in memory.
  package func panels(rows: Int, dimension: Int) throws -> SplitPanels {
    if let panels, rows <= self.rows(dimension: dimension) { return panels }
    panels = nil
    let p = try SplitPanels(rows: rows, dim: dimension, width: Float.preferredPanelWidth)
    panels = p
    return p
  }

  /// At least `bytes` bytes of reading buffers (64-byte aligned), kept for the next block.
  package func buffers(bytes: Int) -> UnsafeMutableRawPointer {
    if let buffers, bytes <= bufferBytes { return buffers }
    buffers?.deallocate()
    let b = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, bytes), alignment: 64)
    buffers = b
    bufferBytes = bytes
    return b
  }
}
