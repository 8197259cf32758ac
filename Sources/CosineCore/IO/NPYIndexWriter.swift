extension NPY {
  /// Writes integer indices (for example the result of a top-k search) as an `int64` `.npy`
  /// file (descr `'<i8'`), atomically, like ``write(_:to:)``.
  ///
  /// - Parameters:
  ///   - values: The indices in row-major order; `values.count` must equal the product of `shape`.
  ///   - shape: The array's shape.
  ///   - path: The destination; created or replaced.
  /// - Throws: ``CosineError/invalidShape(_:)`` if the count and shape disagree; ``NPYError``
  ///   naming `path` if the file cannot be written (an existing file is then left untouched).
  public static func writeInt64(_ values: [Int64], shape: [Int], to path: String) throws {
    guard try Shape.count(shape) == values.count else {
      throw CosineError.invalidShape(
        "shape \(Shape.describe(shape)) needs \(try Shape.count(shape)) indices, got \(values.count)")
    }
    let header = headerBytes(descr: "<i8", shape: shape)
    let little = values.map { $0.littleEndian }
    try AtomicFile.write(to: path) { out in
      try out.write(header)
      try little.withUnsafeBytes { try out.write($0) }
    }
  }
}
