extension NPY {
  /// The largest piece of a file converted at a time when the elements cannot be read
  /// straight into the result (other dtype, other byte order or Fortran order).
  package static let conversionChunkBytes = 1 << 20

  /// Reads the `.npy` file at `path`.
  ///
  /// The header and the file size are validated before memory is allocated for the data,
  /// so a corrupt or hostile file cannot make the reader allocate more than the file holds
  /// (after conversion to `Double`, at most 8 bytes per element present).
  /// Native-endian C-order float files are read straight into the result's storage; other
  /// layouts are converted in chunks of at most 1 MiB, never through a copy of the whole file.
  ///
  /// - Parameter path: The file to read.
  /// - Returns: `.float16`, `.float32` or `.float64` for float files; `.float64` for integer
  ///   and bool files. Rank-0 files give shape `[]` with one element; files with a zero
  ///   dimension give an empty tensor of that shape. Fortran-order data is returned in C order.
  /// - Throws: ``NPYError`` naming `path` when the file is missing, a directory, a device, FIFO
  ///   or socket, unreadable, empty, not a `.npy` file (bad magic), of an unsupported version,
  ///   has a malformed header or an unsupported dtype, is truncated or has bytes after the data,
  ///   or when its array needs more memory than ``MemoryBudget/availableBytes``.
  public static func read(contentsOf path: String) throws -> AnyTensor {
    try NPYError.naming(path) {
      let file = try FileInput(path: path)
      return try decode(from: file)
    }
  }

  /// Decodes the bytes of a `.npy` file that is already in memory.
  ///
  /// Applies exactly the checks of ``read(contentsOf:)``.
  ///
  /// - Parameters:
  ///   - bytes: The complete file contents.
  ///   - source: What to call the bytes in errors (a file name, `"<stdin>"`, …).
  /// - Returns: The array, as for ``read(contentsOf:)``.
  /// - Throws: ``NPYError`` with `path == source`.
  public static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> AnyTensor {
    try NPYError.naming(source) {
      try decode(from: MemoryInput(bytes: bytes))
    }
  }

  /// Validates the header of `input`, then reads its data into a new tensor.
  package static func decode(from input: some NPYInput) throws -> AnyTensor {
    let header = try NPYHeader.read(from: input)
    switch header.dtype.kind {
    case .float16: return .float16(try readData(Float16.self, header, input))
    case .float32: return .float32(try readData(Float.self, header, input))
    default: return .float64(try readData(Double.self, header, input))
    }
  }

  /// Allocates `header.elementCount` elements of `D` and fills them from `input`.
  /// Only called after ``NPYHeader/read(from:)`` has confirmed the bytes are present.
  package static func readData<D: TensorScalar>(_: D.Type, _ header: NPYHeader, _ input: some NPYInput) throws
    -> Tensor<D>
  {
    let n = header.elementCount
    do {
      try MemoryBudget.check(
        count: n, elementSize: MemoryLayout<D>.stride,
        "the array \(Shape.describe(header.shape)) (as \(MemoryLayout<D>.size * 8)-bit floats)")
    } catch let e as CosineError {
      throw NPYProblem(e.description)  // named with the file by the caller
    }
    var scalars: [D] = OutputBuffer.uninitialized(n)  // discarded unless filled whole
    if n > 0 { try scalars.withUnsafeMutableBufferPointer { try fill($0, header, input) } }
    return Tensor(uncheckedShape: header.shape, scalars: scalars)
  }

  /// Fills `dest` (uninitialised, `header.elementCount` elements) with the file's elements in C order.
  package static func fill<D: TensorScalar>(
    _ dest: UnsafeMutableBufferPointer<D>, _ header: NPYHeader, _ input: some NPYInput
  ) throws {
    let dtype = header.dtype
    let sameLayout = dtype.kind.isFloatingPoint && dtype.size == MemoryLayout<D>.size
    if sameLayout && !header.needsTransposition {
      // Straight into the result's storage; swap bytes in place if the file's order differs.
      try input.read(into: UnsafeMutableRawBufferPointer(dest), at: header.dataOffset)
      if dtype.bigEndian != NPYDType.hostIsBigEndian {
        byteSwapInPlace(UnsafeMutableRawBufferPointer(dest), elementSize: dtype.size)
      }
      return
    }
    let swap = dtype.bigEndian != NPYDType.hostIsBigEndian
    switch dtype.kind {
    case .float16: try convert(dest, header, input) { D(Float16(bitPattern: load(UInt16.self, $0, swap))) }
    case .float32: try convert(dest, header, input) { D(Float(bitPattern: load(UInt32.self, $0, swap))) }
    case .float64: try convert(dest, header, input) { D(Double(bitPattern: load(UInt64.self, $0, swap))) }
    case .int8: try convert(dest, header, input) { D($0.load(as: Int8.self)) }
    case .uint8: try convert(dest, header, input) { D($0.load(as: UInt8.self)) }
    case .int16: try convert(dest, header, input) { D(load(Int16.self, $0, swap)) }
    case .uint16: try convert(dest, header, input) { D(load(UInt16.self, $0, swap)) }
    case .int32: try convert(dest, header, input) { D(load(Int32.self, $0, swap)) }
    case .uint32: try convert(dest, header, input) { D(load(UInt32.self, $0, swap)) }
    case .int64: try convert(dest, header, input) { D(load(Int64.self, $0, swap)) }
    case .uint64: try convert(dest, header, input) { D(load(UInt64.self, $0, swap)) }
    case .bool: try convert(dest, header, input) { $0.load(as: UInt8.self) != 0 ? 1 : 0 }
    }
  }

  /// An integer stored at `p` (any alignment), byte-swapped if `swap`.
  @inline(__always)
  package static func load<I: FixedWidthInteger>(_: I.Type, _ p: UnsafeRawPointer, _ swap: Bool) -> I {
    let v = p.loadUnaligned(as: I.self)
    return swap ? v.byteSwapped : v
  }

  /// Reverses the bytes of every `elementSize`-byte element of `buffer`.
  package static func byteSwapInPlace(_ buffer: UnsafeMutableRawBufferPointer, elementSize: Int) {
    guard let base = buffer.baseAddress else { return }
    let n = buffer.count / elementSize
    switch elementSize {
    case 2:
      let p = base.assumingMemoryBound(to: UInt16.self)
      for i in 0..<n { p[i] = p[i].byteSwapped }
    case 4:
      let p = base.assumingMemoryBound(to: UInt32.self)
      for i in 0..<n { p[i] = p[i].byteSwapped }
    case 8:
      let p = base.assumingMemoryBound(to: UInt64.self)
      for i in 0..<n { p[i] = p[i].byteSwapped }
    default:
      break
    }
  }

  /// Reads the data in chunks of at most ``conversionChunkBytes``, converting each element with
  /// `element` and storing it at its C-order position.
  @inline(__always)
  package static func convert<D: TensorScalar>(
    _ dest: UnsafeMutableBufferPointer<D>, _ header: NPYHeader, _ input: some NPYInput,
    _ element: (UnsafeRawPointer) -> D
  ) throws {
    let n = header.elementCount
    let size = header.dtype.size
    let perChunk = max(1, conversionChunkBytes / size)
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: min(n, perChunk) * size, alignment: 16)
    defer { chunk.deallocate() }
    guard let base = UnsafeRawPointer(chunk.baseAddress), let out = dest.baseAddress else { return }
    var order = header.needsTransposition ? FortranToCOrder(shape: header.shape) : nil
    var done = 0
    while done < n {
      let m = min(perChunk, n - done)
      try input.read(
        into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<(m * size)]), at: header.dataOffset + done * size)
      if var o = order {
        for j in 0..<m { (out + o.next()).initialize(to: element(base + j * size)) }
        order = o
      } else {
        let target = out + done
        for j in 0..<m { (target + j).initialize(to: element(base + j * size)) }
      }
      done += m
    }
  }
}

/// Walks the elements of a Fortran-order (column-major) array in storage order and yields the
/// C-order (row-major) position of each: the transposition applied to Fortran-order files.
package struct FortranToCOrder {
  private let shape: [Int]
  private let strides: [Int]
  private var index: [Int]
  private var offset = 0

  /// For an array of `shape` with at least one element.
  package init(shape: [Int]) {
    self.shape = shape
    self.strides = Shape.strides(shape)
    self.index = [Int](repeating: 0, count: shape.count)
  }

  /// The C-order offset of the next element in Fortran order (first axis fastest).
  package mutating func next() -> Int {
    let result = offset
    var axis = 0
    let rank = shape.count
    while axis < rank {
      index[axis] += 1
      offset += strides[axis]
      if index[axis] < shape[axis] || axis == rank - 1 { break }
      offset -= shape[axis] * strides[axis]
      index[axis] = 0
      axis += 1
    }
    return result
  }
}
