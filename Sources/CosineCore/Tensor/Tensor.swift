/// A dense, row-major N-dimensional array of `Float16`, `Float` or `Double`.
///
/// The storage is a Swift array, so tensors are values with copy-on-write semantics and are
/// `Sendable`. Any rank is allowed, including 0 (a scalar: shape `[]`, one element).
///
/// ```swift
/// let a = try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// a[1, 2]  // 6
/// let m = Tensor<Float>([[1, 2], [3, 4]])       // nested arrays; literals; .zeros, .ones, .random
/// let y = matmul(m, m.transposed()) / 2 + 1     // matrix product, broadcasting arithmetic
/// m[0]; m.sum(axis: 1); m.mean().item()         // rows, reductions, a Swift scalar
/// ```
///
/// The operations users of NumPy, PyTorch and MLX reach for first are in the extensions:
/// creation (``zeros(_:)-([Int])``, ``ones(_:)-([Int])``, ``random(normal:mean:standardDeviation:seed:)``),
/// arithmetic (`+ − * /` with broadcasting and scalars), reductions (``sum()``, ``mean(axis:keepDims:)``),
/// ``matmul(_:_:)``, ``transposed()``, ``reshaped(_:)``, rows (`t[i]`, `t[a..<b]`), ``item()``, and
/// a NumPy-style ``description``. Where the toolchain has `_Differentiation`, `Tensor` is
/// `Differentiable` and each of those has its derivative registered (see <doc:Training>).
///
/// **Edge cases:** the element count always equals the product of ``shape`` (``scalars`` cannot
/// be replaced from outside the library); empty tensors (a 0 dimension) and rank-0 tensors work
/// with every operation.
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable {
  /// The extent of each dimension, outermost first.
  public let shape: [Int]
  /// The elements in row-major (C) order; `scalars.count` equals the product of `shape`.
  ///
  /// Read-only outside CosineKit, so the element count always matches ``shape``: write elements
  /// through the subscripts or ``withUnsafeMutableBufferPointer(_:)``.
  public package(set) var scalars: [Scalar]

  /// Creates a tensor from its shape and row-major elements.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` if a dimension is negative or the element
  ///   count differs from the product of `shape`.
  public init(shape: [Int], scalars: [Scalar]) throws {
    let n = try Shape.count(shape)
    guard n == scalars.count else {
      throw CosineError.invalidShape(
        "shape \(Shape.describe(shape)) needs \(n) elements but \(scalars.count) were given")
    }
    self.shape = shape
    self.scalars = scalars
  }

  /// Creates a tensor without checking; `scalars.count` must equal the product of `shape`.
  @usableFromInline
  package init(uncheckedShape shape: [Int], scalars: [Scalar]) {
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor of `shape` filled with `value`.
  public init(shape: [Int], repeating value: Scalar) throws {
    let n = try Shape.count(shape)
    self.init(uncheckedShape: shape, scalars: [Scalar](repeating: value, count: n))
  }

  /// A rank-1 tensor.
  public init(_ vector: [Scalar]) {
    self.init(uncheckedShape: [vector.count], scalars: vector)
  }

  /// A rank-2 tensor from equally long rows.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` if the rows differ in length.
  public init(rows: [[Scalar]]) throws {
    let d = rows.first?.count ?? 0
    guard rows.allSatisfy({ $0.count == d }) else {
      throw CosineError.invalidShape("rows of a matrix must all have the same length")
    }
    self.init(uncheckedShape: [rows.count, d], scalars: rows.flatMap { $0 })
  }

  /// A rank-0 tensor holding one value.
  public init(scalar: Scalar) {
    self.init(uncheckedShape: [], scalars: [scalar])
  }

  /// The number of dimensions.
  public var rank: Int { shape.count }
  /// The number of elements.
  public var count: Int { scalars.count }

  /// The element at a full multi-index (bounds are checked).
  ///
  /// One index on a tensor of rank 2 or more selects a row (see ``subscript(_:)-(Int)``);
  /// write `t[i, j]` for an element of a matrix, or give the result type (`let x: Float = v[0]`).
  public subscript(_ index: Int...) -> Scalar {
    get { scalars[offset(of: index)] }
    set { scalars[offset(of: index)] = newValue }
  }

  private func offset(of index: [Int]) -> Int {
    guard index.count == rank else {
      fatalError("expected \(rank) indices for shape \(Shape.describe(shape)), got \(index.count)")
    }
    var o = 0
    for (i, d) in zip(index, shape) {
      guard i >= 0 && i < d else { fatalError("index \(index) out of range for shape \(Shape.describe(shape))") }
      o = o * d + i
    }
    return o
  }

  /// Calls `body` with the elements' storage, row-major, for reading.
  ///
  /// - Complexity: O(1); no copy.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
    try scalars.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the elements' storage, row-major, for writing in place.
  ///
  /// The buffer has exactly ``count`` elements; the shape cannot change. The pointer must not
  /// escape `body`.
  ///
  /// - Complexity: O(1), or O(n) once if the storage is shared with another tensor (copy on write).
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer { try body($0) }
  }

  /// The elements converted to another scalar type (rounded to nearest).
  public func converted<T: TensorScalar>(to _: T.Type = T.self) -> Tensor<T> {
    if let same = self as? Tensor<T> { return same }
    return Tensor<T>(uncheckedShape: shape, scalars: ScalarConversion.convert(scalars, to: T.self))
  }
}
