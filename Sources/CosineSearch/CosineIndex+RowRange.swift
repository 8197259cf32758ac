import CosineCore

extension CosineIndex {
  /// Prepares rows `rows` of the corpus stored in a `.npy` file: one block of a corpus too large
  /// to be prepared whole. Searching the blocks in turn and merging their results with
  /// ``CosineSearchResults/merging(_:rowOffsets:k:)`` (offsets `rows.lowerBound`) gives the
  /// results of searching the whole file, with the memory of one block.
  ///
  /// - Parameters:
  ///   - path: The `.npy` file, a matrix [N, D] (a rank-1 file is one row).
  ///   - rows: The rows to prepare, within `0...N`; they are numbered from 0 in results.
  ///   - eps: Floor of each norm. Default 1e-8.
  ///   - inspect: As for ``init(contentsOf:eps:inspecting:)``; flat indices count from the
  ///     start of the file.
  /// - Throws: ``NPYError`` naming `path`; ``CosineError/invalidArgument(_:)`` for rows outside
  ///   the file or an invalid eps; ``CosineError/invalidShape(_:)`` if the block does not fit in
  ///   memory; whatever `inspect` throws.
  /// - Complexity: O(rows.count · D) time and memory.
  ///
  /// **Edge cases:** an empty range gives an empty index (searches return empty lists); D = 0
  /// reads nothing.
  public init(
    contentsOf path: String, rows: Range<Int>, eps: Double = 1e-8,
    inspecting inspect: ((_ firstElement: Int, _ piece: UnsafeBufferPointer<Scalar>) throws -> Void)? = nil
  ) throws {
    let reader = try NPYRowReader(path: path)
    guard rows.lowerBound >= 0, rows.upperBound <= reader.rows else {
      throw CosineError.invalidArgument("\(path): rows \(rows) are outside the file's \(reader.rows) rows")
    }
    try self.init(count: rows.count, dimension: reader.columns, eps: eps) { range, buffer in
      let fileRows = (range.lowerBound + rows.lowerBound)..<(range.upperBound + rows.lowerBound)
      try reader.read(fileRows, into: buffer)
      try inspect?(fileRows.lowerBound * reader.columns, UnsafeBufferPointer(buffer))
    }
  }

  /// ``init(contentsOf:rows:eps:inspecting:)`` for a `Float` or `Float16` corpus, prepared into
  /// `storage` rather than into new memory, reading on all cores: the blocks of a corpus too
  /// large for memory, searched in turn, reuse one allocation (fresh memory costs the kernel as
  /// much again as reading the file: every page is cleared on first touch).
  ///
  /// Pieces of about 1 MiB (they stay in the cache from the read to the packing) are read,
  /// inspected and packed by several threads at once, so `inspect` is called concurrently, in
  /// no particular order. When it throws for several pieces, the error of the first such piece
  /// in the file is rethrown (the same error a reading in order would meet first).
  ///
  /// The index borrows the panels of `storage` (it keeps them alive); preparing another block
  /// into the same storage while this index is in use is an error.
  ///
  /// - Throws: as ``init(contentsOf:rows:eps:inspecting:)``.
  package init(
    contentsOf path: String, rows: Range<Int>, eps: Double = 1e-8, reusing blocks: CorpusBlockStorage,
    inspecting inspect: ((_ firstElement: Int, _ piece: UnsafeBufferPointer<Scalar>) throws -> Void)? = nil
  ) throws {
    precondition(!Scalar.worksInDouble, "split storage holds Float and Float16 corpora")
    try checkEps(eps)
    let reader = try NPYRowReader(path: path)
    guard rows.lowerBound >= 0, rows.upperBound <= reader.rows else {
      throw CosineError.invalidArgument("\(path): rows \(rows) are outside the file's \(reader.rows) rows")
    }
    let d = reader.columns
    let storage = try blocks.panels(rows: rows.count, dimension: d)
    let width = storage.width
    let panels = SplitPanels(
      rows: rows.count, dim: d, width: width, high: storage.high, low: storage.low, owner: storage)
    if rows.count > 0, d > 0 {
      let rowBytes = d * MemoryLayout<Scalar>.stride
      let pieceRows = width * Swift.max(1, (1 << 20) / (rowBytes * width))
      let pieces = (rows.count + pieceRows - 1) / pieceRows
      let failures = LockedValue<[(piece: Int, error: any Error)]>([])
      let chunks = Parallel.chunkCount(pieces, costPerItem: pieceRows * d)
      let pieceBytes = (pieceRows * rowBytes + 63) / 64 * 64
      let buffers = SharedPointer(blocks.buffers(bytes: chunks * pieceBytes).assumingMemoryBound(to: UInt8.self))
      Parallel.run(pieces, chunks: chunks) { chunk, range in
        let buffer = UnsafeMutableBufferPointer(
          start: UnsafeMutableRawPointer(buffers.base + chunk * pieceBytes).bindMemory(
            to: Scalar.self, capacity: pieceRows * d),
          count: pieceRows * d)
        for p in range {
          let r0 = p * pieceRows
          let r1 = Swift.min(rows.count, r0 + pieceRows)
          let piece = UnsafeMutableBufferPointer(rebasing: buffer[0..<(r1 - r0) * d])
          do {
            let fileRows = (rows.lowerBound + r0)..<(rows.lowerBound + r1)
            try reader.read(fileRows, into: piece)
            try inspect?(fileRows.lowerBound * d, UnsafeBufferPointer(piece))
          } catch {
            // This worker's later pieces are not read; earlier pieces of other workers are.
            failures.withLock { $0.append((p, error)) }
            return
          }
          panels.pack(
            UnsafePointer(piece.baseAddress), rows: r1 - r0, eps: eps, firstPanel: r0 / width, parallel: false)
        }
      }
      if let first = failures.load().min(by: { $0.piece < $1.piece }) { throw first.error }
    }
    self.init(panels: panels, eps: eps)
  }

  /// Bytes a prepared corpus of `rows` rows of `dimension` elements takes (within one panel of
  /// padding): `rows · dimension · 4` for `Float` and `Float16`, `· 8` for `Double`; nil on overflow.
  public static func preparedBytes(rows: Int, dimension: Int) -> Int? {
    MemoryBudget.bytes(
      count: MemoryBudget.elementCount([rows, dimension]) ?? -1, elementSize: Scalar.worksInDouble ? 8 : 4)
  }
}
