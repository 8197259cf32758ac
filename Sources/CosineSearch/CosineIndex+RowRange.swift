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

  /// Bytes a prepared corpus of `rows` rows of `dimension` elements takes (within one panel of
  /// padding): `rows · dimension · 4` for `Float` and `Float16`, `· 8` for `Double`; nil on overflow.
  public static func preparedBytes(rows: Int, dimension: Int) -> Int? {
    MemoryBudget.bytes(
      count: MemoryBudget.elementCount([rows, dimension]) ?? -1, elementSize: Scalar.worksInDouble ? 8 : 4)
  }
}
