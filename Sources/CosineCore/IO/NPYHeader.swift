/// The validated header of a `.npy` file: where the data starts, what it holds and how much
/// of it there must be.
///
/// ``read(from:)`` checks, in this order and before anything is allocated for the data:
/// the magic string, the format version, the header length against the input size, the
/// header's terminating newline and encoding, the dict (strictly), the dtype, the shape,
/// and finally that exactly the bytes the shape needs follow the header.
package struct NPYHeader: Equatable {
  /// `\x93NUMPY`, the first six bytes of every `.npy` file.
  package static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
  /// The most dimensions a file may have.
  package static let maxRank = 32
  /// The longest header accepted (NumPy never writes more than a few hundred bytes for
  /// the types supported here; this bounds what a hostile file can make the reader allocate).
  package static let maxHeaderLength = 1 << 20

  /// Format version, `(1, 0)`, `(2, 0)` or `(3, 0)`.
  package let major: UInt8
  package let minor: UInt8
  /// The element type from `'descr'`.
  package let dtype: NPYDType
  /// `'fortran_order'`: whether the data is stored column-major.
  package let fortranOrder: Bool
  /// `'shape'`, every dimension ≥ 0.
  package let shape: [Int]
  /// The offset of the first data byte from the start of the input.
  package let dataOffset: Int
  /// The product of `shape` (1 for rank 0).
  package let elementCount: Int
  /// `elementCount * dtype.size`, equal to the bytes present after the header.
  package let dataByteCount: Int

  /// Whether the stored element order differs from C order, i.e. the array is Fortran-ordered
  /// and has more than one dimension longer than 1 (otherwise both orders coincide).
  package var needsTransposition: Bool {
    fortranOrder && shape.lazy.filter { $0 > 1 }.count > 1
  }

  /// `()`, `(5,)`, `(2, 3)`: a shape as the Python tuple NumPy writes.
  package static func tupleLiteral(_ shape: [Int]) -> String {
    switch shape.count {
    case 0: "()"
    case 1: "(\(shape[0]),)"
    default: "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
  }

  /// Reads and validates the header of `input`.
  ///
  /// - Throws: ``NPYProblem`` describing the first problem found.
  package static func read(from input: some NPYInput) throws -> NPYHeader {
    let size = input.size
    guard size > 0 else { throw NPYProblem("empty file (0 bytes), not a .npy file") }

    var prelude = [UInt8](repeating: 0, count: min(size, 12))
    try prelude.withUnsafeMutableBytes { try input.read(into: $0, at: 0) }

    let magicCount = min(6, prelude.count)
    guard prelude[0..<magicCount].elementsEqual(magic[0..<magicCount]) else {
      throw NPYProblem("not a .npy file: it does not start with the magic string \\x93NUMPY\(hint(prelude))")
    }
    guard size >= 8 else {
      throw NPYProblem("truncated: the file has only \(size) bytes, too few for the .npy magic string and version")
    }
    let major = prelude[6]
    let minor = prelude[7]
    let lengthFieldSize: Int
    switch (major, minor) {
    case (1, 0): lengthFieldSize = 2
    case (2, 0), (3, 0): lengthFieldSize = 4
    default:
      throw NPYProblem("unsupported .npy format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
    }
    let headerStart = 8 + lengthFieldSize
    guard size >= headerStart else {
      throw NPYProblem("truncated: the file ends inside the header length field (\(size) bytes)")
    }
    var headerLength = 0
    for i in 0..<lengthFieldSize { headerLength |= Int(prelude[8 + i]) << (8 * i) }

    guard headerLength <= size - headerStart else {
      throw NPYProblem(
        "header length \(headerLength) extends beyond the end of the file "
          + "(only \(size - headerStart) bytes follow the length field)")
    }
    guard headerLength > 0 else { throw NPYProblem("malformed header: the header is empty") }
    guard headerLength <= maxHeaderLength else {
      throw NPYProblem("malformed header: header length \(headerLength) exceeds the limit of \(maxHeaderLength) bytes")
    }

    var header = [UInt8](repeating: 0, count: headerLength)
    try header.withUnsafeMutableBytes { try input.read(into: $0, at: headerStart) }

    guard header.last == 0x0A else {
      throw NPYProblem("malformed header: it does not end with a newline")
    }
    if major < 3 {
      if let i = header.firstIndex(where: { $0 >= 0x80 }) {
        throw NPYProblem(
          "malformed header: non-ASCII byte 0x\(PythonLiteral.hex(UInt32(header[i]), width: 2)) at offset \(i) "
            + "(version \(major).\(minor) headers must be ASCII)")
      }
    } else if String(validating: header, as: UTF8.self) == nil {
      throw NPYProblem("malformed header: it is not valid UTF-8 (required for version 3.0)")
    }

    let literal = try header.withUnsafeBytes {
      try PythonLiteralParser.parse($0, allowLongSuffix: major < 3)
    }
    let (dtype, fortranOrder, shape) = try interpret(literal)

    let elementCount: Int
    do {
      elementCount = try Shape.count(shape)
    } catch {
      throw NPYProblem("shape \(tupleLiteral(shape)) has more elements than fit in a 64-bit integer")
    }
    let (dataByteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.size)
    guard !overflow else {
      throw NPYProblem(
        "shape \(tupleLiteral(shape)) of dtype '\(dtype.descr)' needs more bytes than fit in a 64-bit integer")
    }
    let dataOffset = headerStart + headerLength
    let available = size - dataOffset
    let context = "(shape \(tupleLiteral(shape)), dtype '\(PythonLiteral.printable(dtype.descr))')"
    guard available >= dataByteCount else {
      throw NPYProblem("truncated: expected \(dataByteCount) bytes of data, found \(available) \(context)")
    }
    guard available == dataByteCount else {
      throw NPYProblem(
        "\(available - dataByteCount) unexpected bytes after the data: expected \(dataByteCount) bytes of data, "
          + "found \(available) \(context)")
    }
    return NPYHeader(
      major: major, minor: minor, dtype: dtype, fortranOrder: fortranOrder, shape: shape,
      dataOffset: dataOffset, elementCount: elementCount, dataByteCount: dataByteCount)
  }

  /// What a file that is not `.npy` starts with, for the bad-magic message.
  private static func hint(_ prelude: [UInt8]) -> String {
    if prelude.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
      return " (it looks like a zip archive; .npz files hold several arrays and are not supported)"
    }
    let shown = prelude.prefix(6).map { b -> String in
      b >= 0x20 && b < 0x7F && b != 0x5C
        ? String(Character(Unicode.Scalar(b))) : "\\x" + PythonLiteral.hex(UInt32(b), width: 2)
    }.joined()
    return " (found \"\(shown)\")"
  }

  /// Checks the dict: exactly the keys `'descr'`, `'fortran_order'` and `'shape'`, with a
  /// supported dtype string, a bool and a tuple of at most ``maxRank`` non-negative integers.
  package static func interpret(_ literal: PythonLiteral) throws -> (NPYDType, Bool, [Int]) {
    guard case .dict(let entries) = literal else {
      throw NPYProblem("malformed header: expected a dict, found \(literal.kindDescription)")
    }
    var descr: PythonLiteral?
    var fortran: PythonLiteral?
    var shape: PythonLiteral?
    for entry in entries {
      guard case .string(let key) = entry.key else {
        throw NPYProblem("malformed header: dict key \(entry.key.kindDescription) is not a string")
      }
      switch key {
      case "descr":
        guard descr == nil else { throw NPYProblem("malformed header: duplicate key 'descr'") }
        descr = entry.value
      case "fortran_order":
        guard fortran == nil else { throw NPYProblem("malformed header: duplicate key 'fortran_order'") }
        fortran = entry.value
      case "shape":
        guard shape == nil else { throw NPYProblem("malformed header: duplicate key 'shape'") }
        shape = entry.value
      default:
        throw NPYProblem(
          "malformed header: unknown key '\(PythonLiteral.printable(key))' "
            + "(expected exactly 'descr', 'fortran_order' and 'shape')")
      }
    }
    guard let descr else { throw NPYProblem("malformed header: missing key 'descr'") }
    guard let fortran else { throw NPYProblem("malformed header: missing key 'fortran_order'") }
    guard let shape else { throw NPYProblem("malformed header: missing key 'shape'") }

    let dtype: NPYDType
    switch descr {
    case .string(let s):
      dtype = try NPYDType(descr: s)
    case .list:
      throw NPYProblem("unsupported dtype: structured (record) arrays are not supported; \(NPYDType.supportedList)")
    default:
      throw NPYProblem("malformed header: 'descr' must be a string, found \(descr.kindDescription)")
    }

    guard case .boolean(let fortranOrder) = fortran else {
      throw NPYProblem("malformed header: 'fortran_order' must be True or False, found \(fortran.kindDescription)")
    }

    guard case .tuple(let items) = shape else {
      throw NPYProblem("malformed header: 'shape' must be a tuple of integers, found \(shape.kindDescription)")
    }
    guard items.count <= maxRank else {
      throw NPYProblem("unsupported shape: rank \(items.count) exceeds the maximum of \(maxRank) dimensions")
    }
    var dims: [Int] = []
    dims.reserveCapacity(items.count)
    for (axis, item) in items.enumerated() {
      guard case .integer(let d) = item else {
        throw NPYProblem("malformed header: 'shape' entry \(axis) is \(item.kindDescription), not an integer")
      }
      guard d >= 0 else {
        throw NPYProblem("malformed header: 'shape' has a negative dimension \(d) at axis \(axis)")
      }
      dims.append(d)
    }
    return (dtype, fortranOrder, dims)
  }
}
