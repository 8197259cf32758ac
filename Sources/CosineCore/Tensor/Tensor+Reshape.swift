#if canImport(_Differentiation)
  import _Differentiation
#endif

/// Reshaping and transposing (`x.reshape(2, -1)`, `x.T` in PyTorch and NumPy).
///
/// ```swift
/// let m = Tensor<Float>([[1, 2, 3], [4, 5, 6]])
/// m.reshaped([3, -1])   // shape [3, 2]; −1 is inferred
/// m.transposed()        // [[1, 4], [2, 5], [3, 6]]
/// ```
///
/// Where `_Differentiation` exists each has its derivative registered beside it.
///
/// **Edge cases:** a reshape to a shape of another element count, with a negative dimension
/// other than one −1, or with −1 next to a 0 dimension traps naming both shapes (for shapes read
/// at run time use the throwing ``init(shape:scalars:)``). `transposed()` of a rank-0 or rank-1
/// tensor is the tensor itself; empty tensors transpose to empty tensors.
extension Tensor {
  /// The same elements, in the same row-major order, with shape `newShape`; one dimension may
  /// be −1 and is then inferred from the element count.
  ///
  /// - Precondition: `newShape` has ``count`` elements (after inferring −1).
  /// - Complexity: O(1) (the storage is shared until written).
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(uncheckedShape: orTrap { try resolvedShape(newShape) }, scalars: scalars)
  }

  /// `newShape` with a −1 inferred, checked against ``count``.
  package func resolvedShape(_ newShape: [Int]) throws -> [Int] {
    var s = newShape
    let unknown = s.indices.filter { s[$0] == -1 }
    if unknown.count == 1 {
      s[unknown[0]] = 1
      let known = try Shape.count(s)
      guard known > 0, count % known == 0 else {
        throw CosineError.shapeMismatch(operation: "reshape (the −1 cannot be inferred)", shape, newShape)
      }
      s[unknown[0]] = count / known
    }
    guard unknown.count <= 1, (try? Shape.count(s)) == count else {
      throw CosineError.shapeMismatch(operation: "reshape (element counts differ)", shape, newShape)
    }
    return s
  }

  /// The tensor with its axes in reverse order (`x.T` in NumPy): element `[i, j]` of the result
  /// is element `[j, i]` of a matrix.
  ///
  /// - Complexity: O(n) time and memory.
  public func transposed() -> Tensor {
    guard rank >= 2 else { return self }
    let newShape = Array(shape.reversed())
    let source = Array(Shape.strides(shape).reversed())
    var out = [Scalar]()
    out.reserveCapacity(count)
    if rank == 2 {
      let (rows, columns) = (shape[0], shape[1])
      for j in 0..<columns { for i in 0..<rows { out.append(scalars[i * columns + j]) } }
      return Tensor(uncheckedShape: newShape, scalars: out)
    }
    var index = [Int](repeating: 0, count: rank)
    var o = 0
    for _ in 0..<count {
      out.append(scalars[o])
      var d = rank - 1
      while d >= 0 {
        index[d] += 1
        o += source[d]
        if index[d] < newShape[d] { break }
        o -= source[d] * newShape[d]
        index[d] = 0
        d -= 1
      }
    }
    return Tensor(uncheckedShape: newShape, scalars: out)
  }
}

#if canImport(_Differentiation)
  extension Tensor {
    @derivative(of: reshaped, wrt: self)
    @usableFromInline
    package func _vjpReshaped(_ newShape: [Int]) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = reshaped(newShape)
      let shape = self.shape
      return (v, { g in Tensor(uncheckedShape: shape, scalars: g.expanded(to: v.shape).scalars) })
    }

    @derivative(of: transposed)
    @usableFromInline
    package func _vjpTransposed() -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = transposed()
      return (v, { g in g.expanded(to: v.shape).transposed() })
    }
  }
#endif
