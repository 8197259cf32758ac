#if canImport(_Differentiation)
  import _Differentiation
#endif

/// Rows, ranges of rows and single values, as `x[i]`, `x[a..<b]` and `x.item()` in PyTorch.
///
/// ```swift
/// let m = Tensor<Float>([[1, 2], [3, 4], [5, 6]])
/// m[0]             // [1, 2]: a row, shape [2]
/// m[-1]            // [5, 6]: negative indices count from the end
/// m[1...]          // [[3, 4], [5, 6]]: shape [2, 2]
/// m[0, 1]          // 2.0: one element (give every index)
/// m.sum().item()   // 21.0
/// ```
///
/// A row of a tensor of shape `[n, d…]` has shape `[d…]`; a row of a rank-1 tensor is a rank-0
/// tensor. Results are copies (values, not views); assigning through a subscript writes the
/// elements in place. Where `_Differentiation` exists the getters have their derivatives
/// registered beside them.
///
/// **Edge cases:** an index outside `-n ..< n`, a range outside `0 ... n`, a row subscript of a
/// rank-0 tensor, or an assigned value of another shape traps with a message naming the index and
/// the shape; an empty range gives shape `[0, d…]`.
extension Tensor {
  /// Row `index` (the slice along the first axis), `index < 0` counting from the end.
  ///
  /// - Precondition: `rank >= 1` and `-shape[0] <= index < shape[0]`; a new value has the row's shape.
  /// - Complexity: O(row size).
  public subscript(_ index: Int) -> Tensor {
    get { row(index) }
    set {
      let r = resolvedRow(index)
      checkRowValue(newValue, rows: 1)
      let w = rowWidth
      scalars.replaceSubrange(r * w..<(r + 1) * w, with: newValue.scalars)
    }
  }

  /// Rows `range` (a slice along the first axis): `m[2..<5]`, `m[..<3]`, `m[1...]`.
  ///
  /// - Precondition: `rank >= 1` and the range lies within `0 ... shape[0]`; a new value has
  ///   the slice's shape.
  /// - Complexity: O(slice size).
  public subscript<R: RangeExpression>(_ range: R) -> Tensor where R.Bound == Int {
    get { rows(resolvedRange(range)) }
    set {
      let r = resolvedRange(range)
      checkRowValue(newValue, rows: r.count)
      let w = rowWidth
      scalars.replaceSubrange(r.lowerBound * w..<r.upperBound * w, with: newValue.scalars)
    }
  }

  /// Row `index` (the same as `self[index]`), the form with a registered derivative.
  ///
  /// - Precondition: as ``subscript(_:)-(Int)``.
  public func row(_ index: Int) -> Tensor {
    let r = resolvedRow(index)
    let w = rowWidth
    return Tensor(uncheckedShape: Array(shape.dropFirst()), scalars: Array(scalars[r * w..<(r + 1) * w]))
  }

  /// Rows `range` (the same as `self[range]`), the form with a registered derivative.
  ///
  /// - Precondition: `rank >= 1` and `0 <= range.lowerBound <= range.upperBound <= shape[0]`.
  public func rows(_ range: Range<Int>) -> Tensor {
    let r = resolvedRange(range)
    let w = rowWidth
    return Tensor(
      uncheckedShape: [r.count] + shape.dropFirst(), scalars: Array(scalars[r.lowerBound * w..<r.upperBound * w]))
  }

  /// The single element of a one-element tensor (a loss, typically), like PyTorch's `item()`.
  ///
  /// - Precondition: `count == 1` (any rank: `[]`, `[1]`, `[1, 1]`, …).
  public func item() -> Scalar {
    guard count == 1 else {
      fatalError("item() needs a tensor with one element, got shape \(Shape.describe(shape))")
    }
    return scalars[0]
  }

  /// The single element of a one-element tensor; the same as ``item()``.
  ///
  /// - Precondition: `count == 1`.
  public func scalarized() -> Scalar { item() }

  /// The rows (slices along the first axis) at `indices`, in that order: PyTorch's
  /// `x.index_select(0, indices)` or `x[indices]`, NumPy's `x[indices]`.
  ///
  /// ```swift
  /// let x = Tensor<Float>([[1, 2], [3, 4], [5, 6]])
  /// x.gatheringRows([2, 0, 2])      // [[5, 6], [1, 2], [5, 6]]
  /// ```
  ///
  /// - Returns: A tensor of shape `[indices.count] + shape.dropFirst()`.
  /// - Precondition: rank ≥ 1 and every index is in `0 ..< shape[0]` (traps naming the index).
  /// - Complexity: O(indices.count · row width).
  /// - **Edge cases:** repeated indices repeat the row; no indices give `[0, …]`.
  public func gatheringRows(_ indices: [Int]) -> Tensor {
    precondition(rank >= 1, "gatheringRows needs rank >= 1, got a rank-0 tensor")
    let width = rowWidth
    var out = [Scalar]()
    out.reserveCapacity(indices.count * width)
    for i in indices {
      precondition(i >= 0 && i < shape[0], "gatheringRows: row \(i) is out of range for \(shape[0]) rows")
      out.append(contentsOf: scalars[(i * width)..<((i + 1) * width)])
    }
    return Tensor(uncheckedShape: [indices.count] + shape.dropFirst(), scalars: out)
  }

  /// Elements per row (slice along the first axis).
  package var rowWidth: Int { shape.dropFirst().reduce(1, *) }

  private func resolvedRow(_ index: Int) -> Int {
    guard rank >= 1 else { fatalError("a row index [\(index)] needs rank >= 1; use item() on a rank-0 tensor") }
    let n = shape[0]
    guard index >= -n && index < n else {
      fatalError("row index \(index) out of range for shape \(Shape.describe(shape)) (valid: \(-n)..<\(n))")
    }
    return index < 0 ? index + n : index
  }

  private func resolvedRange<R: RangeExpression>(_ range: R) -> Range<Int> where R.Bound == Int {
    guard rank >= 1 else { fatalError("a row range needs rank >= 1, got shape []") }
    let n = shape[0]
    // `relative(to:)` of a one-sided range only fills in the missing bound.
    let r = range.relative(to: 0..<n)
    guard r.lowerBound >= 0, r.upperBound <= n else {
      fatalError("row range \(r) out of range for shape \(Shape.describe(shape)) (valid: within 0...\(n))")
    }
    return r
  }

  private func checkRowValue(_ value: Tensor, rows: Int) {
    let want = rows == 1 && value.rank == rank - 1 ? Array(shape.dropFirst()) : [rows] + shape.dropFirst()
    guard value.shape == want else {
      fatalError(
        "cannot assign a tensor of shape \(Shape.describe(value.shape)) to rows of shape \(Shape.describe(want))")
    }
  }
}

#if canImport(_Differentiation)
  extension Tensor {
    @derivative(of: row)
    @usableFromInline
    package func _vjpRow(_ index: Int) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = row(index)
      let shape = self.shape
      let r = index < 0 ? index + shape[0] : index
      return (
        v,
        { g in
          var out = Tensor.zeros(shape)
          out[r] = g.expanded(to: v.shape)
          return out
        }
      )
    }

    @derivative(of: rows)
    @usableFromInline
    package func _vjpRows(_ range: Range<Int>) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = rows(range)
      let shape = self.shape
      return (
        v,
        { g in
          var out = Tensor.zeros(shape)
          out[range] = g.expanded(to: v.shape)
          return out
        }
      )
    }

    @derivative(of: subscript(_:))
    @usableFromInline
    package func _vjpSubscriptRow(_ index: Int) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      _vjpRow(index)
    }
  }

  extension Tensor where Scalar: Differentiable, Scalar.TangentVector == Scalar {
    @derivative(of: item)
    @usableFromInline
    package func _vjpItem() -> (value: Scalar, pullback: (Scalar) -> Tensor) {
      let shape = self.shape
      return (item(), { g in Tensor(uncheckedShape: shape, scalars: [g]) })
    }

    @derivative(of: scalarized)
    @usableFromInline
    package func _vjpScalarized() -> (value: Scalar, pullback: (Scalar) -> Tensor) {
      _vjpItem()
    }
  }
#endif
