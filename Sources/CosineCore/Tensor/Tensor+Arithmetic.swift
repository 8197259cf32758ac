#if canImport(_Differentiation)
  import _Differentiation
#endif

/// Element-wise `+`, `−`, `*` and `/` with NumPy broadcasting, with scalars, and negation.
///
/// `+` and `−` make ``Tensor`` an `AdditiveArithmetic` type, which gradients need: its ``zero``
/// is the rank-0 tensor 0, which broadcasts against any shape, so `.zero + g == g` for every `g`.
///
/// ```swift
/// let a = Tensor<Float>([[1, 2], [3, 4]])
/// let b: Tensor<Float> = [10, 20]
/// a + b          // [[11, 22], [13, 24]]: b broadcasts along the rows
/// 1 - a * 2      // scalars broadcast too
/// ```
///
/// Each result element is computed in `Double` (`Float` for same-shape `Float16` and `Float`
/// operands) and rounded once to `Scalar`. Where `_Differentiation` exists every operator has its
/// derivative registered beside it; the gradient of a broadcast operand is summed over the
/// dimensions it was broadcast along, so it has the operand's shape.
///
/// **Edge cases:** shapes that do not broadcast are a programming error for the operators (they
/// trap, naming both shapes, in every build configuration); ``adding(_:)``, ``subtracting(_:)``,
/// ``multiplying(_:)`` and ``dividing(_:)`` throw ``CosineError/shapeMismatch(operation:_:_:)``
/// instead. Empty operands give empty results. Division by zero and NaN follow IEEE rules.
extension Tensor: AdditiveArithmetic {
  /// The rank-0 tensor 0: the identity of `+` for tensors of every shape.
  public static var zero: Tensor { Tensor(scalar: 0) }

  /// `lhs + rhs`, broadcast. Traps if the shapes do not broadcast.
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
    orTrap { try lhs.adding(rhs) }
  }

  /// `lhs − rhs`, broadcast. Traps if the shapes do not broadcast.
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
    orTrap { try lhs.subtracting(rhs) }
  }

  /// `self + other` with NumPy broadcasting.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes.
  /// - Complexity: O(n) for n result elements.
  public func adding(_ other: Tensor) throws -> Tensor {
    try Self.combine(self, other, operation: "add", float: +, double: +)
  }

  /// `self − other` with NumPy broadcasting.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes.
  /// - Complexity: O(n).
  public func subtracting(_ other: Tensor) throws -> Tensor {
    try Self.combine(self, other, operation: "subtract", float: -, double: -)
  }

  /// Every element multiplied by `factor`.
  public func scaled(by factor: Scalar) -> Tensor {
    let f = Double(factor)
    return map(float: { x in x * Float(f) }, double: { $0 * f })
  }

  /// Applies `float` (for `Float` and `Float16`) or `double` (for `Double`) to every element.
  package func map(float: @escaping (Float) -> Float, double: @escaping (Double) -> Double) -> Tensor {
    let values: [Scalar] = ScalarDispatch.map(scalars, float: { $0.map(float) }, double: { $0.map(double) })
    return Tensor(uncheckedShape: shape, scalars: values)
  }

  package static func combine(
    _ a: Tensor, _ b: Tensor, operation: String,
    float: @escaping (Float, Float) -> Float, double: @escaping (Double, Double) -> Double
  ) throws -> Tensor {
    if a.shape == b.shape {
      let values: [Scalar] = ScalarDispatch.map(
        a.scalars, b.scalars,
        float: { x, y in zip(x, y).map(float) }, double: { x, y in zip(x, y).map(double) })
      return Tensor(uncheckedShape: a.shape, scalars: values)
    }
    let shape = try Shape.broadcast(a.shape, b.shape, operation: operation)
    let n = try Shape.count(shape)
    try MemoryBudget.check(
      count: n, elementSize: 8 + MemoryLayout<Scalar>.stride,
      "\(operation) of \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) (result \(Shape.describe(shape)))")
    let sa = Shape.broadcastStrides(a.shape, to: shape)
    let sb = Shape.broadcastStrides(b.shape, to: shape)
    let x = ScalarDispatch.toDoubles(a.scalars)
    let y = ScalarDispatch.toDoubles(b.scalars)
    var out = [Double](repeating: 0, count: n)
    var index = [Int](repeating: 0, count: shape.count)
    var oa = 0
    var ob = 0
    for i in 0..<n {
      out[i] = double(x[oa], y[ob])
      // Advance the multi-index (last dimension fastest) and both offsets.
      var d = shape.count - 1
      while d >= 0 {
        index[d] += 1
        oa += sa[d]
        ob += sb[d]
        if index[d] < shape[d] { break }
        oa -= sa[d] * shape[d]
        ob -= sb[d] * shape[d]
        index[d] = 0
        d -= 1
      }
    }
    // Float storage rounds the exact Double result once, as float arithmetic would.
    return Tensor(uncheckedShape: shape, scalars: ScalarDispatch.toScalars(out))
  }
}

extension Tensor {
  /// `lhs * rhs` element-wise (the Hadamard product, not `matmul`), broadcast. Traps if the
  /// shapes do not broadcast.
  public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
    orTrap { try lhs.multiplying(rhs) }
  }

  /// `lhs / rhs` element-wise, broadcast. Traps if the shapes do not broadcast.
  public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
    orTrap { try lhs.dividing(rhs) }
  }

  /// `self * other` element-wise with NumPy broadcasting.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes.
  /// - Complexity: O(n).
  public func multiplying(_ other: Tensor) throws -> Tensor {
    try Self.combine(self, other, operation: "multiply", float: *, double: *)
  }

  /// `self / other` element-wise with NumPy broadcasting.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes.
  /// - Complexity: O(n).
  public func dividing(_ other: Tensor) throws -> Tensor {
    try Self.combine(self, other, operation: "divide", float: /, double: /)
  }

  /// `−x`, element-wise.
  public static prefix func - (x: Tensor) -> Tensor {
    x.map(float: { -$0 }, double: { -$0 })
  }

  /// `lhs + rhs` for every element of `lhs`.
  public static func + (lhs: Tensor, rhs: Scalar) -> Tensor {
    let r = Double(rhs)
    return lhs.map(float: { $0 + Float(r) }, double: { $0 + r })
  }

  /// `lhs + rhs` for every element of `rhs`.
  public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs + lhs }

  /// `lhs − rhs` for every element of `lhs`.
  public static func - (lhs: Tensor, rhs: Scalar) -> Tensor {
    let r = Double(rhs)
    return lhs.map(float: { $0 - Float(r) }, double: { $0 - r })
  }

  /// `lhs − rhs` for every element of `rhs`.
  public static func - (lhs: Scalar, rhs: Tensor) -> Tensor {
    let l = Double(lhs)
    return rhs.map(float: { Float(l) - $0 }, double: { l - $0 })
  }

  /// `lhs * rhs` for every element of `lhs`.
  public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.scaled(by: rhs) }

  /// `lhs * rhs` for every element of `rhs`.
  public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.scaled(by: lhs) }

  /// `lhs / rhs` for every element of `lhs`.
  public static func / (lhs: Tensor, rhs: Scalar) -> Tensor {
    let r = Double(rhs)
    return lhs.map(float: { $0 / Float(r) }, double: { $0 / r })
  }

  /// `lhs / rhs` for every element of `rhs`.
  public static func / (lhs: Scalar, rhs: Tensor) -> Tensor {
    let l = Double(lhs)
    return rhs.map(float: { Float(l) / $0 }, double: { l / $0 })
  }

  /// This tensor, or a tensor of `shape` filled with its one element when it is a rank-0
  /// tensor (such as ``zero``) and `shape` differs.
  package func expanded(to shape: [Int]) -> Tensor {
    guard self.shape != shape, rank == 0 else { return self }
    return Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: scalars[0], count: shape.reduce(1, *)))
  }

  /// The gradient of a broadcast operand: `self` (of a broadcast result's shape) summed over the
  /// dimensions along which a tensor of `shape` was broadcast, giving `shape`. Sums in `Double`.
  package func unbroadcast(to shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    let strides = Shape.broadcastStrides(shape, to: self.shape)
    let x = ScalarDispatch.toDoubles(scalars)
    var out = [Double](repeating: 0, count: shape.reduce(1, *))
    var index = [Int](repeating: 0, count: rank)
    var o = 0
    for i in 0..<x.count {
      out[o] += x[i]
      var d = rank - 1
      while d >= 0 {
        index[d] += 1
        o += strides[d]
        if index[d] < self.shape[d] { break }
        o -= strides[d] * self.shape[d]
        index[d] = 0
        d -= 1
      }
    }
    return Tensor(uncheckedShape: shape, scalars: ScalarDispatch.toScalars(out))
  }
}

#if canImport(_Differentiation)
  extension Tensor {
    @derivative(of: +)
    @usableFromInline
    package static func _vjpAdd(lhs: Tensor, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
      let v = lhs + rhs
      let (ls, rs) = (lhs.shape, rhs.shape)
      return (
        v,
        { g in
          let g = g.expanded(to: v.shape)
          return (g.unbroadcast(to: ls), g.unbroadcast(to: rs))
        }
      )
    }

    @derivative(of: -)
    @usableFromInline
    package static func _vjpSubtract(lhs: Tensor, rhs: Tensor) -> (
      value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)
    ) {
      let v = lhs - rhs
      let (ls, rs) = (lhs.shape, rhs.shape)
      return (
        v,
        { g in
          let g = g.expanded(to: v.shape)
          return (g.unbroadcast(to: ls), (-g).unbroadcast(to: rs))
        }
      )
    }

    @derivative(of: *)
    @usableFromInline
    package static func _vjpMultiply(lhs: Tensor, rhs: Tensor) -> (
      value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)
    ) {
      let v = lhs * rhs
      return (
        v,
        { g in
          let g = g.expanded(to: v.shape)
          return ((g * rhs).unbroadcast(to: lhs.shape), (g * lhs).unbroadcast(to: rhs.shape))
        }
      )
    }

    @derivative(of: /)
    @usableFromInline
    package static func _vjpDivide(lhs: Tensor, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor))
    {
      let v = lhs / rhs
      return (
        v,
        { g in
          let g = g.expanded(to: v.shape)
          let gl = g / rhs
          return (gl.unbroadcast(to: lhs.shape), (-(gl * v)).unbroadcast(to: rhs.shape))
        }
      )
    }

    @derivative(of: -)
    @usableFromInline
    package static func _vjpNegate(x: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      (-x, { g in -g })
    }

    @derivative(of: +, wrt: lhs)
    @usableFromInline
    package static func _vjpAddScalar(lhs: Tensor, rhs: Scalar) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = lhs + rhs
      return (v, { g in g.expanded(to: v.shape) })
    }

    @derivative(of: +, wrt: rhs)
    @usableFromInline
    package static func _vjpAddToScalar(lhs: Scalar, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = lhs + rhs
      return (v, { g in g.expanded(to: v.shape) })
    }

    @derivative(of: -, wrt: lhs)
    @usableFromInline
    package static func _vjpSubtractScalar(lhs: Tensor, rhs: Scalar) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = lhs - rhs
      return (v, { g in g.expanded(to: v.shape) })
    }

    @derivative(of: -, wrt: rhs)
    @usableFromInline
    package static func _vjpSubtractFromScalar(lhs: Scalar, rhs: Tensor) -> (
      value: Tensor, pullback: (Tensor) -> Tensor
    ) {
      let v = lhs - rhs
      return (v, { g in -g.expanded(to: v.shape) })
    }

    @derivative(of: *, wrt: lhs)
    @usableFromInline
    package static func _vjpMultiplyScalar(lhs: Tensor, rhs: Scalar) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = lhs * rhs
      return (v, { g in g.expanded(to: v.shape) * rhs })
    }

    @derivative(of: *, wrt: rhs)
    @usableFromInline
    package static func _vjpScalarMultiply(lhs: Scalar, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = lhs * rhs
      return (v, { g in g.expanded(to: v.shape) * lhs })
    }

    @derivative(of: /, wrt: lhs)
    @usableFromInline
    package static func _vjpDivideByScalar(lhs: Tensor, rhs: Scalar) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = lhs / rhs
      return (v, { g in g.expanded(to: v.shape) / rhs })
    }

    @derivative(of: /, wrt: rhs)
    @usableFromInline
    package static func _vjpScalarDivide(lhs: Scalar, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = lhs / rhs
      // d(l / r)/dr = −l / r² = −v / r.
      return (v, { g in -(g.expanded(to: v.shape) * v / rhs) })
    }

    @derivative(of: scaled, wrt: self)
    @usableFromInline
    package func _vjpScaled(by factor: Scalar) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
      let v = scaled(by: factor)
      return (v, { g in g.expanded(to: v.shape).scaled(by: factor) })
    }
  }
#endif
