#if canImport(_Differentiation)
  import _Differentiation
#endif

/// Sums and means, of all elements or along one axis (`torch.sum(x, dim, keepdim)`,
/// `mx.mean(x, axis, keepdims)`).
///
/// ```swift
/// let m = Tensor<Float>([[1, 2], [3, 4]])
/// m.sum()                           // 10, rank 0
/// m.mean(axis: 0)                   // [2, 3]
/// m.sum(axis: -1, keepDims: true)   // [[3], [7]]
/// ```
///
/// Sums are accumulated in `Double` in index order and rounded once to `Scalar`; a mean is that
/// sum divided by the count. Where `_Differentiation` exists each has its derivative registered
/// beside it.
///
/// **Edge cases:** the sum of no elements is 0 and their mean is NaN (as in NumPy and PyTorch);
/// a rank-0 tensor is its own sum; an axis outside `-rank ..< rank` traps naming the axis and
/// the rank (so does any axis of a rank-0 tensor).
extension Tensor {
  /// The sum of all elements, as a rank-0 tensor.
  ///
  /// - Complexity: O(n).
  public func sum() -> Tensor {
    Tensor(scalar: Scalar(ScalarDispatch.toDoubles(scalars).reduce(0, +)))
  }

  /// The mean of all elements, as a rank-0 tensor (NaN when empty).
  ///
  /// - Complexity: O(n).
  public func mean() -> Tensor {
    Tensor(scalar: Scalar(ScalarDispatch.toDoubles(scalars).reduce(0, +) / Double(count)))
  }

  /// The sums along `axis`: that dimension is removed, or kept with extent 1 if `keepDims`.
  ///
  /// - Parameters:
  ///   - axis: The dimension to sum over, negative counting from the end.
  ///   - keepDims: Keep the summed dimension with extent 1 (so the result broadcasts against `self`).
  /// - Precondition: `-rank <= axis < rank`.
  /// - Complexity: O(n).
  public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
    reduced(axis: axis, keepDims: keepDims, divideByCount: false)
  }

  /// The means along `axis` (see ``sum(axis:keepDims:)``); NaN where the axis is empty.
  ///
  /// - Precondition: `-rank <= axis < rank`.
  /// - Complexity: O(n).
  public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
    reduced(axis: axis, keepDims: keepDims, divideByCount: true)
  }

  /// The axis resolved against the rank, trapping with the error's message when out of range.
  package func resolvedAxis(_ axis: Int) -> Int {
    orTrap { try Shape.normalizedAxis(axis, rank: rank) }
  }

  /// The shape with `axis` set to 1 (`keepDims`) or removed.
  package func reducedShape(_ axis: Int, keepDims: Bool) -> [Int] {
    var s = shape
    if keepDims { s[axis] = 1 } else { s.remove(at: axis) }
    return s
  }

  private func reduced(axis: Int, keepDims: Bool, divideByCount: Bool) -> Tensor {
    let ax = resolvedAxis(axis)
    let outer = shape[..<ax].reduce(1, *)
    let n = shape[ax]
    let inner = shape[(ax + 1)...].reduce(1, *)
    let x = ScalarDispatch.toDoubles(scalars)
    var out = [Double](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for k in 0..<n {
        let base = (o * n + k) * inner
        for i in 0..<inner { out[o * inner + i] += x[base + i] }
      }
    }
    if divideByCount { for i in out.indices { out[i] /= Double(n) } }
    return Tensor(uncheckedShape: reducedShape(ax, keepDims: keepDims), scalars: ScalarDispatch.toScalars(out))
  }

  /// `self` (whose shape broadcasts to `shape`) repeated to `shape`.
  package func broadcasted(to shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    return orTrap { try Tensor.zeros(shape).adding(self) }
  }
}

#if canImport(_Differentiation)
  extension Tensor {
    @derivative(of: sum)
    @usableFromInline
    package func _vjpSum() -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let shape = self.shape
      return (sum(), { g in Tensor.full(shape, g.scalars[0]) })
    }

    @derivative(of: mean)
    @usableFromInline
    package func _vjpMean() -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let shape = self.shape
      let n = Double(count)
      return (mean(), { g in Tensor.full(shape, Scalar(Double(g.scalars[0]) / n)) })
    }

    @derivative(of: sum(axis:keepDims:), wrt: self)
    @usableFromInline
    package func _vjpSum(axis: Int, keepDims: Bool) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = sum(axis: axis, keepDims: keepDims)
      let shape = self.shape
      let kept = reducedShape(resolvedAxis(axis), keepDims: true)
      return (v, { g in Tensor(uncheckedShape: kept, scalars: g.expanded(to: v.shape).scalars).broadcasted(to: shape) })
    }

    @derivative(of: mean(axis:keepDims:), wrt: self)
    @usableFromInline
    package func _vjpMean(axis: Int, keepDims: Bool) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = mean(axis: axis, keepDims: keepDims)
      let shape = self.shape
      let ax = resolvedAxis(axis)
      let kept = reducedShape(ax, keepDims: true)
      let n = Double(shape[ax])
      return (
        v,
        { g in
          let gk = Tensor(uncheckedShape: kept, scalars: g.expanded(to: v.shape).scalars)
          return gk.map(float: { $0 / Float(n) }, double: { $0 / n }).broadcasted(to: shape)
        }
      )
    }
  }
#endif
