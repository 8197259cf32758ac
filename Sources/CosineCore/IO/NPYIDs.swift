extension NPY {
  /// Reads a `.npy` file of ids: exact 64-bit integers (no rounding through `Double`).
  ///
  /// Accepts any integer dtype of either byte order (unsigned values must fit in `Int64`), and
  /// float arrays whose every value is a whole number in the `Int64` range (as `np.array` of
  /// Python floats gives); any shape, flattened in C order (a [Q, k] array of search results
  /// reads as Q·k ids; Fortran-order arrays of rank ≥ 2 are refused).
  ///
  /// - Parameter path: The file.
  /// - Returns: The ids in C order.
  /// - Throws: ``NPYError`` naming `path` for a malformed file, a bool array, a value
  ///   out of range or a non-integral float (the first bad index is named).
  /// - Complexity: O(N); memory 16·N bytes at most.
  public static func readIDs(contentsOf path: String) throws -> [Int] {
    try NPYError.naming(path) { try decodeIDs(from: try FileInput(path: path)) }
  }

  /// ``readIDs(contentsOf:)`` for any input; throws ``NPYProblem``.
  package static func decodeIDs(from input: some NPYInput) throws -> [Int] {
    let header = try NPYHeader.read(from: input)
    guard !header.needsTransposition else {
      throw NPYProblem(
        "ids in Fortran order with shape \(Shape.describe(header.shape)) are not supported (save a C-order array)")
    }
    let n = header.elementCount
    let size = header.dtype.size
    var raw = [UInt8](repeating: 0, count: header.dataByteCount)
    try raw.withUnsafeMutableBytes { try input.read(into: $0, at: header.dataOffset) }
    let swap = header.dtype.bigEndian != NPYDType.hostIsBigEndian
    var out = [Int](repeating: 0, count: n)
    try raw.withUnsafeBytes { b in
      for i in 0..<n {
        let p = b.baseAddress! + i * size
        let v: Int?
        switch header.dtype.kind {
        case .int8: v = Int(p.load(as: Int8.self))
        case .uint8: v = Int(p.load(as: UInt8.self))
        case .int16: v = Int(load(Int16.self, p, swap))
        case .uint16: v = Int(load(UInt16.self, p, swap))
        case .int32: v = Int(load(Int32.self, p, swap))
        case .uint32: v = Int(load(UInt32.self, p, swap))
        case .int64: v = Int(load(Int64.self, p, swap))
        case .uint64: v = Int(exactly: load(UInt64.self, p, swap))
        case .float16: v = Int(exactly: Float16(bitPattern: load(UInt16.self, p, swap)))
        case .float32: v = Int(exactly: Float(bitPattern: load(UInt32.self, p, swap)))
        case .float64: v = Int(exactly: Double(bitPattern: load(UInt64.self, p, swap)))
        case .bool: throw NPYProblem("ids must be integers, found bool")
        }
        guard let v else {
          throw NPYProblem("id at index \(i) is not an integer in the int64 range")
        }
        out[i] = v
      }
    }
    return out
  }
}
