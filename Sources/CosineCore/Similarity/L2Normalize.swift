/// L2 normalization along an axis: `x / max(‖x‖, eps)`, as `torch.nn.functional.normalize`.
///
/// ```swift
/// try l2Normalize(Tensor<Float>([3, 4]))  // [0.6, 0.8]
/// ```
///
/// - Parameters:
///   - x: The input.
///   - axis: The axis along which each vector is normalized; negative counts from the end.
///   - eps: Floor of the norm (not of its square). Default 1e-12. Must be ≥ 0.
/// - Returns: A tensor of `x`'s shape whose vectors have norm 1 (or less, where the floor applies).
/// - Throws: ``CosineError/axisOutOfRange(axis:rank:)``, ``CosineError/invalidArgument(_:)``.
///
/// **Edge cases:**
/// - A zero vector stays zero, also with `eps = 0` (0/0 is defined as 0 there).
/// - Overflow-safe: a `Float` vector of 1e20s or a `Double` vector of 1e300s normalizes exactly;
///   `Double` vectors whose sum of squares leaves the normal range are rescaled by a power of two.
/// - NaN propagates.
///
/// - Complexity: two passes over `x` (norms, then scaling), on all cores.
/// - SeeAlso: <doc:NumericalConventions>
public func l2Normalize<T: TensorScalar>(_ x: Tensor<T>, axis: Int = -1, eps: Double = 1e-12) throws -> Tensor<T> {
  try l2NormalizeWithPullback(x, axis: axis, eps: eps).value
}

/// L2 normalization and its pullback. For `y = x/m` with `m = max(‖x‖, eps)`, the pullback of
/// an upstream `g` is `(g − y·(y·g))/m` where `‖x‖ > eps`, and `g/m` where the floor is active.
public func l2NormalizeWithPullback<T: TensorScalar>(
  _ x: Tensor<T>, axis: Int = -1, eps: Double = 1e-12
) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> Tensor<T>) {
  guard let kernels = T.kernels else { return try L2NormalizeOp.valueWithPullback(x, axis: axis, eps: eps) }
  return try L2NormalizeOp<T>.evaluate(kernels, x, axis: axis, eps: eps)
}

package struct L2NormalizeOp<T: TensorScalar>: Sendable {
  package let axis: Int
  /// Per row: `1/m` (real units) and whether the norm's gradient is active.
  package let inverseNorm: [Double]
  package let active: [Bool]
  package let value: Tensor<T>

  package init(_ x: Tensor<T>, axis: Int, eps: Double) throws {
    try checkEps(eps)
    self.axis = axis
    if x.count == 0 {
      // Nothing to normalize: no per-row work, however many (empty) rows the shape has.
      _ = try Shape.normalizedAxis(axis, rank: Swift.max(1, x.rank))
      (inverseNorm, active, value) = ([], [], x)
      return
    }
    let stats = try RowPairs(x, x, axis: axis, operation: "l2 normalize")
    let L = stats.layout
    let floor = NormFloor.clamp(eps)
    var inv = [Double](repeating: 0, count: L.rows)
    var act = [Bool](repeating: false, count: L.rows)
    var scaleOnly = [Double](repeating: 0, count: L.rows)
    for r in 0..<L.rows {
      let s = stats.scale(ofRow: r).0
      let (m, k, _) = floor.effectiveNorm(sumOfSquares: stats.sums[3 * r + 1], scale: s)
      scaleOnly[r] = 1 / m / s
      inv[r] = scaleOnly[r]
      act[r] = k != 0
    }
    inverseNorm = inv
    active = act
    var out: [T] = OutputBuffer.uninitialized(x.count)  // every element is written below
    x.scalars.withUnsafeBufferPointer { px in
      out.withUnsafeMutableBufferPointer { po in
        scaleOnly.withUnsafeBufferPointer { ps in
          guard let X = px.baseAddress, let O = po.baseAddress, L.length > 0 else { return }
          if L.contiguous {
            let sx = SharedConstPointer(X)
            let so = SharedPointer(O)
            let ss = SharedConstPointer(ps.baseAddress!)
            Parallel.forEachRange(L.rows, costPerItem: L.length) { range in
              let o = range.lowerBound * L.length
              RowKernels.rowScale(
                sx.base + o, rows: range.count, length: L.length, scale: ss.base + range.lowerBound, into: so.base + o)
            }
          } else {
            for r in 0..<L.rows {
              let (base, _) = L.bases(ofRow: r)
              var i = base
              for _ in 0..<L.length {
                O[i] = T(Double(X[i]) * ps[r])
                i += L.axisStride.0
              }
            }
          }
          // Rows whose 1/m is not representable as one factor: scale in two exact steps.
          for (r, (s, _)) in stats.scales {
            let m = floor.effectiveNorm(sumOfSquares: stats.sums[3 * r + 1], scale: s).m
            let (base, _) = L.bases(ofRow: r)
            var i = base
            for _ in 0..<L.length {
              O[i] = T(Double(X[i]) / s / m)
              i += L.axisStride.0
            }
          }
        }
      }
    }
    value = Tensor(uncheckedShape: x.shape, scalars: out)
  }

  package func pullback(_ g: Tensor<T>) throws -> Tensor<T> {
    guard g.shape == value.shape else {
      throw CosineError.shapeMismatch(operation: "l2 normalize gradient", g.shape, value.shape)
    }
    if g.count == 0 { return g }
    // t = y·g per row; gradient = g/m − (t/m)·y (second term only where the norm is active).
    let pairs = try RowPairs(value, g, axis: axis, operation: "l2 normalize gradient")
    var coef = [Double](repeating: 0, count: 4 * inverseNorm.count)
    for r in 0..<inverseNorm.count {
      let (sy, sg) = pairs.scale(ofRow: r)
      let t = pairs.sums[3 * r] * sy * sg
      // The engine's second-slot gradient is (cb·u1 − db·u2)/sg with u1 = y/sy, u2 = g/sg.
      // Matching g/m − (t/m)·y gives cb = −(t/m)·sy·sg and db = −sg²/m.
      coef[4 * r + 2] = -(active[r] ? t * inverseNorm[r] : 0) * sy * sg
      coef[4 * r + 3] = -inverseNorm[r] * sg * sg
    }
    return pairs.backward(coefficients: coef).1
  }
}

extension L2NormalizeOp {
  /// The value and a pullback over this op's forward state.
  package static func valueWithPullback(
    _ x: Tensor<T>, axis: Int, eps: Double
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> Tensor<T>) {
    let op = try L2NormalizeOp(x, axis: axis, eps: eps)
    return (op.value, { g in try op.pullback(g) })
  }

  /// ``valueWithPullback(_:axis:eps:)`` through the scalar type's ``KernelScalar`` witness, which
  /// is concrete code: the forward and backward loops run specialized whatever the caller.
  package static func evaluate<K: KernelScalar>(
    _: K.Type, _ x: Tensor<T>, axis: Int, eps: Double
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> Tensor<T>) {
    K.retyped(try K.l2Normalize(x.retyped(K.self), axis: axis, eps: eps))
  }
}

extension KernelScalar {
  package static func l2Normalize(
    _ x: Tensor<Self>, axis: Int, eps: Double
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> Tensor<Self>) {
    try L2NormalizeOp<Self>.valueWithPullback(x, axis: axis, eps: eps)
  }
}
