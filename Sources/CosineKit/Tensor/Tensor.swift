/// A dense, row-major N-dimensional array of `Float16`, `Float` or `Double`.
///
/// The storage is a Swift array, so tensors are values with copy-on-write semantics and are
/// `Sendable`. Any rank is allowed, including 0 (a scalar: shape `[]`, one element).
///
/// ```swift
/// let a = try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// a[1, 2]  // 6
/// ```
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable {
  /// The extent of each dimension, outermost first.
  public let shape: [Int]
  /// The elements in row-major (C) order; `scalars.count` equals the product of `shape`.
  public var scalars: [Scalar]

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
  init(uncheckedShape shape: [Int], scalars: [Scalar]) {
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
  public subscript(_ index: Int...) -> Scalar {
    get { scalars[offset(of: index)] }
    set { scalars[offset(of: index)] = newValue }
  }

  private func offset(of index: [Int]) -> Int {
    precondition(index.count == rank, "expected \(rank) indices, got \(index.count)")
    var o = 0
    for (i, d) in zip(index, shape) {
      precondition(i >= 0 && i < d, "index \(index) out of range for shape \(Shape.describe(shape))")
      o = o * d + i
    }
    return o
  }

  /// The same elements viewed with another shape of equal element count.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` if the counts differ.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    try Tensor(shape: newShape, scalars: scalars)
  }

  /// The elements converted to another scalar type (rounded to nearest).
  @_specialize(exported: true, where Scalar == Float, T == Double)
  @_specialize(exported: true, where Scalar == Float, T == Float16)
  @_specialize(exported: true, where Scalar == Double, T == Float)
  @_specialize(exported: true, where Scalar == Double, T == Float16)
  @_specialize(exported: true, where Scalar == Float16, T == Float)
  @_specialize(exported: true, where Scalar == Float16, T == Double)
  public func converted<T: TensorScalar>(to _: T.Type = T.self) -> Tensor<T> {
    if let same = self as? Tensor<T> { return same }
    return Tensor<T>(uncheckedShape: shape, scalars: scalars.map { T($0) })
  }
}
