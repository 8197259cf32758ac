extension NPY {
  /// Writes `tensor` as a `.npy` file (the bytes of ``encode(_:)``) into a staged output, which
  /// the caller commits (possibly together with others, see ``StagedFile/commitAll(_:)``).
  ///
  /// - Throws: ``NPYError`` naming the staged file's path if a write fails.
  /// - Complexity: O(elements); the data is written from the tensor's storage (a write-through
  ///   destination keeps the bytes in memory until it is committed).
  ///
  /// **Edge cases:** nothing is visible at the destination until the staged file is committed;
  /// arrays with no elements are written as a header alone.
  public static func write(_ tensor: AnyTensor, into file: StagedFile) throws {
    let out = AtomicFile.Writer(staged: file)
    try NPYError.naming(file.path) {
      try out.write(headerBytes(for: tensor))
      switch tensor {
      case .float16(let t): try writeLittleEndian(t.scalars, to: out)
      case .float32(let t): try writeLittleEndian(t.scalars, to: out)
      case .float64(let t): try writeLittleEndian(t.scalars, to: out)
      }
    }
  }

  /// Writes indices as an `int64` `.npy` file into a staged output (see ``writeInt64(_:shape:to:)``).
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` if the count and shape disagree; ``NPYError``
  ///   naming the staged file's path if a write fails.
  public static func writeInt64(_ values: [Int64], shape: [Int], into file: StagedFile) throws {
    guard try Shape.count(shape) == values.count else {
      throw CosineError.invalidShape(
        "shape \(Shape.describe(shape)) needs \(try Shape.count(shape)) indices, got \(values.count)")
    }
    let little = values.map { $0.littleEndian }
    try NPYError.naming(file.path) {
      try file.write(headerBytes(descr: "<i8", shape: shape))
      try little.withUnsafeBytes { try file.write($0) }
    }
  }
}
