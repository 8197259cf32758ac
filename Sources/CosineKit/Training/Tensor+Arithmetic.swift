/// Element-wise addition and subtraction with NumPy broadcasting, and scaling.
///
/// These make ``Tensor`` an `AdditiveArithmetic` type, which gradients need: its ``zero`` is the
/// rank-0 tensor 0, which broadcasts against any shape, so `.zero + g == g` for every `g`.
///
/// **Edge cases:** shapes that do not broadcast are a programming error for the operators (they
/// trap, naming both shapes); use ``adding(_:)`` and ``subtracting(_:)`` to get a thrown
/// ``CosineError/shapeMismatch(operation:_:_:)`` instead. NaN and infinities follow IEEE rules.
extension Tensor: AdditiveArithmetic {
  /// The rank-0 tensor 0: the identity of `+` for tensors of every shape.
  public static var zero: Tensor { Tensor(scalar: 0) }

  /// `lhs + rhs`, broadcast. Traps if the shapes do not broadcast.
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
    do { return try lhs.adding(rhs) } catch { fatalError("\(error)") }
  }

  /// `lhs − rhs`, broadcast. Traps if the shapes do not broadcast.
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
    do { return try lhs.subtracting(rhs) } catch { fatalError("\(error)") }
  }

  /// `self + other` with NumPy broadcasting.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes.
  public func adding(_ other: Tensor) throws -> Tensor {
    try Self.combine(self, other, operation: "add", float: +, double: +)
  }

  /// `self − other` with NumPy broadcasting.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes.
  public func subtracting(_ other: Tensor) throws -> Tensor {
    try Self.combine(self, other, operation: "subtract", float: -, double: -)
  }

  /// Every element multiplied by `factor`.
  public func scaled(by factor: Scalar) -> Tensor {
    let f = Double(factor)
    let values: [Scalar] = ScalarDispatch.map(
      scalars,
      float: { x in
        let g = Float(f)
        return x.map { $0 * g }
      }, double: { $0.map { $0 * f } })
    return Tensor(uncheckedShape: shape, scalars: values)
  }

  private static func combine(
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
  /// The single element of a one-element tensor (a loss, typically) as a scalar.
  ///
  /// - Precondition: `count == 1`.
  public func scalarized() -> Scalar {
    if count != 1 { fatalError("scalarized() needs a tensor with one element, got shape \(Shape.describe(shape))") }
    return scalars[0]
  }

  /// The sum of all elements, as a rank-0 tensor (accumulated in `Double`).
  public func sum() -> Tensor {
    Tensor(scalar: Scalar(ScalarDispatch.toDoubles(scalars).reduce(0, +)))
  }

  /// This tensor, or a tensor of `shape` filled with its one element when it is a rank-0
  /// tensor (such as ``zero``) and `shape` differs.
  func expanded(to shape: [Int]) -> Tensor {
    guard self.shape != shape, rank == 0 else { return self }
    return Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: scalars[0], count: shape.reduce(1, *)))
  }
}
