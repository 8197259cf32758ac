#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Reading and writing a tensor as a NumPy `.npy` file: `np.load` / `np.save`, `torch.load`'s
/// first use.
///
/// ```swift
/// let x = try Tensor<Float>(contentsOf: "embeddings.npy")   // float16/32/64 file → Float
/// try cosineSimilarityMatrix(x, x).write(to: "scores.npy")   // atomic, as numpy.save writes it
/// ```
extension Tensor {
  /// Reads a `.npy` file of `float16`, `float32` or `float64` elements as a tensor of this
  /// scalar type.
  ///
  /// The file is read and validated as ``NPY/read(contentsOf:)`` does (any byte order, C or
  /// Fortran order); its elements are then converted to `Scalar` as ``Tensor/converted(to:)``
  /// converts them: exactly when `Scalar` holds them, rounded to nearest otherwise (a `float64`
  /// file read as `Float` rounds each value once; values beyond `Float16`'s range become
  /// infinite when read as `Float16`).
  ///
  /// - Parameter path: The `.npy` file.
  /// - Throws: ``NPYError`` naming `path`: a missing, truncated or malformed file, or an
  ///   integer or `bool` file (`"int64 elements: Tensor(contentsOf:) reads float16, float32 or
  ///   float64 files"`; ``NPY/read(contentsOf:)`` reads those as `float64` when that is meant).
  /// - Complexity: O(n) for n elements; memory the file's data plus the result.
  public init(contentsOf path: String) throws {
    let header = try NPYError.naming(path) { try NPYHeader.read(from: try FileInput(path: path)) }
    guard header.dtype.kind.isFloatingPoint else {
      throw NPYError(
        path: path,
        message:
          "\(header.dtype.kind.numpyName) elements: Tensor(contentsOf:) reads float16, float32 or float64 files "
          + "(NPY.read(contentsOf:) reads integers as float64)")
    }
    self = try NPY.read(contentsOf: path).converted(to: Scalar.self)
  }

  /// ``init(contentsOf:)-(String)`` for a file URL.
  ///
  /// - Throws: ``NPYError`` as the `String` form; for a URL that is not a file URL, an
  ///   ``NPYError`` naming it.
  public init(contentsOf url: URL) throws {
    guard url.isFileURL else { throw NPYError(path: url.absoluteString, message: "not a file URL") }
    try self.init(contentsOf: url.path)
  }

  /// Writes the tensor to `path` as a `.npy` file, exactly as `numpy.save` writes it (version
  /// 1.0, little-endian, C order), atomically: a temporary file beside `path` is written,
  /// flushed and renamed over it, so `path` holds its old contents or the whole new file.
  ///
  /// `Float16`, `Float` and `Double` tensors keep their type (`<f2`, `<f4`, `<f8`); a scalar
  /// type defined outside the library is written as `float64`.
  ///
  /// - Throws: ``NPYError`` naming `path` (a missing directory, a directory in the way, no
  ///   permission, a failed write); an existing file is then left as it was.
  /// - Complexity: O(n); no copy of the data beyond the file's buffers.
  public func write(to path: String) throws {
    try NPY.write(AnyTensor(self), to: path)
  }

  /// ``write(to:)-(String)`` for a file URL.
  public func write(to url: URL) throws {
    guard url.isFileURL else { throw NPYError(path: url.absoluteString, message: "not a file URL") }
    try write(to: url.path)
  }
}
