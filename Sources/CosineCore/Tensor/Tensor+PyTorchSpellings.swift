/// The spellings PyTorch, NumPy and MLX users type first, beside CosineKit's own names.
///
/// | PyTorch / MLX | CosineKit |
/// |---|---|
/// | `a.T` | ``T`` (``transposed()``) |
/// | `a.norm(dim=1)`, `mx.linalg.norm(a, axis=1)` | ``norm(axis:keepDims:)`` |
/// | `F.normalize(a)` | ``normalized(axis:eps:file:line:)`` (``l2Normalize(_:axis:eps:)``) |
/// | `torch.zeros(4, 8)`, `mx.zeros([4, 8])` | ``zeros(_:)-(Int...)``, ``zeros(_:)-([Int])`` |
/// | `a.tolist()` flattened, `np.asarray(a).ravel()` | `Array(a)` (``Swift/Array/init(_:)``) |
extension Tensor {
  /// The tensor with its axes reversed (`a.T` in NumPy, PyTorch and MLX): the transpose of a
  /// matrix; a rank-0 or rank-1 tensor is returned unchanged.
  ///
  /// - Complexity: O(n) time and memory.
  public var T: Tensor { transposed() }

  /// The Euclidean (L2) norm along `axis`: `sqrt(Σ x²)` over that dimension, which is removed
  /// (or kept with extent 1 if `keepDims`), as `torch.linalg.norm(a, dim=axis)`.
  ///
  /// Each norm is computed in `Double` from the values scaled by their largest magnitude, so it
  /// neither overflows nor underflows where the result is representable (rows of 1e20 in `Float`
  /// give 1.7e20 for 3 elements, not infinity), and is then rounded once to `Scalar`.
  ///
  /// - Parameters:
  ///   - axis: The dimension to reduce, negative counting from the end. Default −1.
  ///   - keepDims: Keep the reduced dimension with extent 1.
  /// - Precondition: `-rank <= axis < rank` (traps naming the axis and the shape).
  /// - Complexity: O(n).
  /// - **Edge cases:** an empty axis gives 0; a zero line gives 0; a line holding NaN gives NaN,
  ///   one holding an infinity (and no NaN) gives +∞.
  public func norm(axis: Int = -1, keepDims: Bool = false) -> Tensor {
    let a = resolvedAxis(axis)
    let n = shape[a]
    let outer = shape[..<a].reduce(1, *)
    let inner = shape[(a + 1)...].reduce(1, *)
    var out = [Scalar](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * n * inner + i
        var largest = 0.0
        var nan = false
        for k in 0..<n {
          let v = Double(scalars[base + k * inner]).magnitude
          if v.isNaN { nan = true } else if v > largest { largest = v }
        }
        let r: Double
        if nan {
          r = .nan
        } else if largest == 0 || largest.isInfinite {
          r = largest
        } else {
          var s = 0.0
          for k in 0..<n {
            let v = Double(scalars[base + k * inner]) / largest
            s = s.addingProduct(v, v)
          }
          r = largest * s.squareRoot()
        }
        out[o * inner + i] = Scalar(r)
      }
    }
    var newShape = shape
    if keepDims { newShape[a] = 1 } else { newShape.remove(at: a) }
    return Tensor(uncheckedShape: newShape, scalars: out)
  }

  /// The tensor divided by its L2 norm along `axis` (PyTorch `F.normalize`, eps 1e-12):
  /// ``l2Normalize(_:axis:eps:)``, trapping where that would throw (an invalid axis or eps).
  ///
  /// - **Edge cases:** as ``l2Normalize(_:axis:eps:)``: a zero row stays zero.
  public func normalized(axis: Int = -1, eps: Double = 1e-12, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    orTrap(file: file, line: line) { try l2Normalize(self, axis: axis, eps: eps) }
  }

  /// A tensor of zeros with the dimensions given one by one: `Tensor<Float>.zeros(4, 8)`
  /// (PyTorch `torch.zeros(4, 8)`); ``zeros(_:)-([Int])`` takes the shape as an array.
  ///
  /// - Precondition: no dimension is negative.
  public static func zeros(_ dimensions: Int...) -> Tensor { zeros(dimensions) }

  /// A tensor of ones with the dimensions given one by one: `Tensor<Float>.ones(4, 8)`.
  ///
  /// - Precondition: no dimension is negative.
  public static func ones(_ dimensions: Int...) -> Tensor { ones(dimensions) }
}

extension Array where Element: TensorScalar {
  /// The elements of `tensor` in row-major order (`np.asarray(a).ravel()`, `a.flatten().tolist()`);
  /// ``Tensor/scalars`` is the same array.
  public init(_ tensor: Tensor<Element>) { self = tensor.scalars }
}
