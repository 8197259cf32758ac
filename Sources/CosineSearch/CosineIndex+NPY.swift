import CosineCore

extension CosineIndex {
  /// Prepares the corpus stored in a `.npy` file, reading it a piece at a time.
  ///
  /// The file holds a matrix [N, D] (a rank-1 file is one row) of any dtype
  /// ``NPY/read(contentsOf:)`` accepts; elements are converted to `Scalar` as it converts them.
  /// Pieces of about 4 MiB are read, normalized and packed in turn, so peak memory is the
  /// prepared index plus one piece: never the corpus twice. (`cosine search` streams a
  /// `--corpus` file through the search in blocks of rows instead, each prepared by
  /// ``init(contentsOf:rows:eps:inspecting:)``'s parallel form into memory reused from block to
  /// block.)
  ///
  /// - Parameters:
  ///   - path: The `.npy` file.
  ///   - eps: Floor of each norm. Default 1e-8.
  ///   - inspect: Called with each piece before it is packed, and the flat index of its first
  ///     element: for validation (reject NaN, say) and progress. Errors it throws are rethrown.
  /// - Throws: ``NPYError`` naming `path` for a missing, malformed or non-matrix file;
  ///   ``CosineError/invalidArgument(_:)`` for an invalid eps; whatever `inspect` throws.
  /// - Complexity: O(N·D) time; the memory of the index plus about 4 MiB.
  public init(
    contentsOf path: String, eps: Double = 1e-8,
    inspecting inspect: ((_ firstElement: Int, _ piece: UnsafeBufferPointer<Scalar>) throws -> Void)? = nil
  ) throws {
    let reader = try NPYRowReader(path: path)
    try self.init(count: reader.rows, dimension: reader.columns, eps: eps) { range, buffer in
      try reader.read(range, into: buffer)
      try inspect?(range.lowerBound * reader.columns, UnsafeBufferPointer(buffer))
    }
  }
}
