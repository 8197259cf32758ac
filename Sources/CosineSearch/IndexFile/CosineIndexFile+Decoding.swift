import CosineCore

extension CosineIndexFile {
  /// Reads an index file held in memory (the bytes are copied), validating it as
  /// ``init(mapping:)`` does. For tests, fuzzing and files that arrive over the network.
  ///
  /// - Parameters:
  ///   - bytes: The whole file.
  ///   - source: The name errors give for the bytes.
  /// - Throws: ``NPYError`` naming `source`.
  /// - Complexity: O(bytes).
  ///
  /// **Edge cases:** as ``init(mapping:)``.
  public init(decoding bytes: UnsafeRawBufferPointer, source: String) throws {
    self.init(table: try IndexTable.decode(bytes, source: source))
  }
}
