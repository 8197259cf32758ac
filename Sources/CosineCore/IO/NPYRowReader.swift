/// Reads the rows of a matrix stored in a `.npy` file a few at a time, so that a large corpus
/// never has to be in memory whole (see ``CosineIndex/init(contentsOf:eps:inspecting:)``).
///
/// The header is validated as by ``NPY/read(contentsOf:)`` when the reader is created. A rank-1
/// file is one row. Elements are converted to the requested scalar type exactly as
/// ``NPY/read(contentsOf:)`` converts them.
package struct NPYRowReader {
  package let path: String
  package let header: NPYHeader
  package let input: FileInput
  /// Rows and columns of the matrix.
  package let rows: Int
  package let columns: Int
  /// The whole array, for the layouts whose rows are not contiguous in the file (Fortran
  /// order): read at once, then served from memory.
  private let transposed: AnyTensor?

  package init(path: String) throws {
    self.path = path
    let (input, header) = try NPYError.naming(path) { () throws -> (FileInput, NPYHeader) in
      let f = try FileInput(path: path)
      return (f, try NPYHeader.read(from: f))
    }
    switch header.shape.count {
    case 1: (rows, columns) = (1, header.shape[0])
    case 2: (rows, columns) = (header.shape[0], header.shape[1])
    default:
      throw NPYError(path: path, message: "expected a matrix [N, D], found shape \(Shape.describe(header.shape))")
    }
    self.input = input
    self.header = header
    transposed = header.needsTransposition ? try NPYError.naming(path) { try NPY.decode(from: input) } : nil
  }

  /// The scalar type ``NPY/read(contentsOf:)`` returns for this file: `float16`, `float32` or
  /// `float64` (integers and bools read as `float64`).
  package var scalarTypeName: String {
    switch header.dtype.kind {
    case .float16: "float16"
    case .float32: "float32"
    default: "float64"
    }
  }

  /// Fills `buffer` (`range.count · columns` elements) with rows `range`, converted to `T`.
  package func read<T: TensorScalar>(_ range: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
    precondition(range.lowerBound >= 0 && range.upperBound <= rows && buffer.count == range.count * columns)
    guard !range.isEmpty, columns > 0 else { return }
    if let t = transposed {
      let lo = range.lowerBound * columns
      switch t {
      case .float16(let x): for i in 0..<buffer.count { buffer[i] = T(x.scalars[lo + i]) }
      case .float32(let x): for i in 0..<buffer.count { buffer[i] = T(x.scalars[lo + i]) }
      case .float64(let x): for i in 0..<buffer.count { buffer[i] = T(x.scalars[lo + i]) }
      }
      return
    }
    let count = range.count * columns
    let piece = NPYHeader(
      major: header.major, minor: header.minor, dtype: header.dtype, fortranOrder: false,
      shape: [range.count, columns],
      dataOffset: header.dataOffset + range.lowerBound * columns * header.dtype.size, elementCount: count,
      dataByteCount: count * header.dtype.size)
    try NPYError.naming(path) { try NPY.fill(buffer, piece, input) }
  }
}

extension NPY {
  /// The shape of the array in a `.npy` file and the scalar type ``read(contentsOf:)`` returns
  /// for it (`"float16"`, `"float32"` or `"float64"`), from the validated header alone.
  ///
  /// - Throws: ``NPYError`` naming `path`, as ``read(contentsOf:)`` does for the header.
  public static func describe(contentsOf path: String) throws -> (shape: [Int], scalarType: String) {
    try NPYError.naming(path) {
      let header = try NPYHeader.read(from: try FileInput(path: path))
      switch header.dtype.kind {
      case .float16: return (header.shape, "float16")
      case .float32: return (header.shape, "float32")
      default: return (header.shape, "float64")
      }
    }
  }
}
