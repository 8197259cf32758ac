extension NPY {
  /// The data of a written file starts at a multiple of this many bytes (as NumPy does).
  package static let headerAlignment = 64
  /// NumPy leaves room for this many digits of the first dimension so a file can grow in place.
  package static let growthAxisMaxDigits = 21

  /// Encodes `tensor` as the bytes of a `.npy` file.
  ///
  /// The result is byte for byte what `numpy.save` writes for the same array: format version
  /// 1.0 (2.0 only if the header exceeds 65535 bytes), descr `'<f2'`, `'<f4'` or `'<f8'`,
  /// `'fortran_order': False`, little-endian C-order data, and a header padded with spaces
  /// and ended with `'\n'` so the data starts at a multiple of 64 bytes.
  ///
  /// - Parameter tensor: The array; any rank, including 0 and arrays with no elements.
  /// - Returns: The complete file contents.
  public static func encode(_ tensor: AnyTensor) -> [UInt8] {
    let header = headerBytes(for: tensor)
    var out = [UInt8]()
    out.reserveCapacity(header.count + tensor.elementCount * tensor.elementSize)
    out += header
    switch tensor {
    case .float16(let t): appendLittleEndian(t.scalars, to: &out)
    case .float32(let t): appendLittleEndian(t.scalars, to: &out)
    case .float64(let t): appendLittleEndian(t.scalars, to: &out)
    }
    return out
  }

  /// Writes `tensor` to `path` as a `.npy` file (the bytes of ``encode(_:)``), atomically.
  ///
  /// The file is written to a temporary file in the same directory, flushed with `fsync` and
  /// renamed over `path`, so `path` holds either its old contents or the complete new file.
  /// The data is written from the tensor's storage without building the whole file in memory.
  ///
  /// - Parameters:
  ///   - tensor: The array to write.
  ///   - path: The destination; created or replaced. A symbolic link there is followed, as a shell
  ///     redirect follows it (dangling or not), and survives.
  /// - Throws: ``NPYError`` naming `path` if its directory does not exist or is not writable,
  ///   `path` is a directory, or writing, syncing or renaming fails. On failure the temporary
  ///   file is removed and an existing file at `path` is left byte-identical.
  public static func write(_ tensor: AnyTensor, to path: String) throws {
    let header = headerBytes(for: tensor)
    try AtomicFile.write(to: path) { out in
      try out.write(header)
      switch tensor {
      case .float16(let t): try writeLittleEndian(t.scalars, to: out)
      case .float32(let t): try writeLittleEndian(t.scalars, to: out)
      case .float64(let t): try writeLittleEndian(t.scalars, to: out)
      }
    }
  }

  /// Magic, version, header length and the padded header dict for `tensor`.
  package static func headerBytes(for tensor: AnyTensor) -> [UInt8] {
    let descr: String
    switch tensor {
    case .float16: descr = "<f2"
    case .float32: descr = "<f4"
    case .float64: descr = "<f8"
    }
    return headerBytes(descr: descr, shape: tensor.shape)
  }

  /// The header NumPy's `write_array` produces for a C-order array of `descr` and `shape`.
  package static func headerBytes(descr: String, shape: [Int]) -> [UInt8] {
    // Keys sorted, each followed by ", ", as numpy.lib.format._write_array_header does.
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(NPYHeader.tupleLiteral(shape)), }"
    if let first = shape.first {
      dict += String(repeating: " ", count: max(0, growthAxisMaxDigits - String(first).count))
    }
    let text = Array(dict.utf8)
    let withNewline = text.count + 1
    var version: UInt8 = 1
    var lengthFieldSize = 2
    var padding = headerAlignment - (NPYHeader.magic.count + 2 + lengthFieldSize + withNewline) % headerAlignment
    if withNewline + padding > Int(UInt16.max) {
      version = 2
      lengthFieldSize = 4
      padding = headerAlignment - (NPYHeader.magic.count + 2 + lengthFieldSize + withNewline) % headerAlignment
    }
    let headerLength = withNewline + padding
    var out = NPYHeader.magic + [version, 0]
    for i in 0..<lengthFieldSize { out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
    out += text
    out += repeatElement(0x20, count: padding)
    out.append(0x0A)
    return out
  }

  private static func appendLittleEndian<T: TensorScalar>(_ scalars: [T], to out: inout [UInt8]) {
    if !NPYDType.hostIsBigEndian {
      scalars.withUnsafeBytes { out.append(contentsOf: $0) }
    } else {
      var chunk = [UInt8]()
      for s in scalars {
        appendSwapped(s, to: &chunk)
      }
      out += chunk
    }
  }

  package static func writeLittleEndian<T: TensorScalar>(_ scalars: [T], to out: AtomicFile.Writer) throws {
    if !NPYDType.hostIsBigEndian {
      try scalars.withUnsafeBytes { try out.write($0) }
    } else {
      // Byte-swap in bounded chunks.
      let perChunk = max(1, conversionChunkBytes / MemoryLayout<T>.size)
      var start = 0
      var chunk = [UInt8]()
      chunk.reserveCapacity(min(scalars.count, perChunk) * MemoryLayout<T>.size)
      while start < scalars.count {
        let end = min(scalars.count, start + perChunk)
        chunk.removeAll(keepingCapacity: true)
        for s in scalars[start..<end] { appendSwapped(s, to: &chunk) }
        try out.write(chunk)
        start = end
      }
    }
  }

  /// Appends the bytes of `s` in reverse (native big-endian → little-endian) order.
  private static func appendSwapped<T: TensorScalar>(_ s: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: s) { out.append(contentsOf: $0.reversed()) }
  }
}

extension AnyTensor {
  /// The number of elements (1 for rank 0).
  package var elementCount: Int {
    switch self {
    case .float16(let t): t.count
    case .float32(let t): t.count
    case .float64(let t): t.count
    }
  }
}
