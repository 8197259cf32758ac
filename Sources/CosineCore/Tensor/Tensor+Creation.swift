import RealModule

/// Creating tensors the way NumPy, PyTorch and MLX users do: from (nested) array literals, filled
/// with zeros or ones, or with seeded random numbers.
///
/// ```swift
/// let v: Tensor<Float> = [1, -1, 1]                    // shape [3]
/// let m = Tensor<Float>([[1, 2], [3, 4]])              // shape [2, 2]
/// let z = Tensor<Double>.zeros([2, 3])
/// let w = Tensor<Float>.random(normal: [4, 8], seed: 42)
/// ```
///
/// **Edge cases:** the nested-array initializers and the fillers trap (with a message naming the
/// rows or the shape) for ragged rows, negative dimensions or an element count that overflows:
/// those are programming errors in code that spells its data. For data read at run time use the
/// throwing ``init(rows:)`` or ``init(shape:scalars:)``.
extension Tensor: ExpressibleByArrayLiteral {
  /// A tensor of any rank from a (nested) array literal: `let v: Tensor<Float> = [1, 2, 3]`
  /// (shape [3]), `let m: Tensor<Float> = [[1, 2], [3, 4]]` (shape [2, 2]), and so on.
  ///
  /// - Precondition: the literal is not ragged: every array at one depth has the same length
  ///   and the same depth (traps naming the first element that differs, e.g. `row [1]`).
  public init(arrayLiteral elements: TensorLiteral<Scalar>...) {
    let (shape, scalars) = TensorLiteral.flatten(elements)
    self.init(uncheckedShape: shape, scalars: scalars)
  }

  /// A matrix from nested arrays, `Tensor<Float>([[1, 2], [3, 4]])`: shape `[rows.count, d]`.
  ///
  /// An empty outer array gives shape `[0, 0]`.
  ///
  /// - Precondition: every row has the same length (traps naming the first row that differs;
  ///   ``init(rows:)`` throws instead).
  /// - Complexity: O(n) for n elements.
  public init(_ rows: [[Scalar]]) {
    do { try self.init(rows: rows) } catch { fatalError("\(error)") }
  }

  /// A rank-3 tensor from doubly nested arrays: shape `[a.count, b, c]`.
  ///
  /// An empty outer array gives shape `[0, 0, 0]`.
  ///
  /// - Precondition: all inner arrays at one depth have the same length (traps naming the
  ///   first one that differs).
  /// - Complexity: O(n) for n elements.
  public init(_ blocks: [[[Scalar]]]) {
    let b = blocks.first?.count ?? 0
    let c = blocks.first?.first?.count ?? 0
    var flat: [Scalar] = []
    flat.reserveCapacity(blocks.count * b * c)
    for (i, block) in blocks.enumerated() {
      guard block.count == b else {
        fatalError("ragged nested array: block \(i) has \(block.count) rows, block 0 has \(b)")
      }
      for (j, row) in block.enumerated() {
        guard row.count == c else {
          fatalError("ragged nested array: row [\(i)][\(j)] has \(row.count) elements, row [0][0] has \(c)")
        }
        flat.append(contentsOf: row)
      }
    }
    self.init(uncheckedShape: [blocks.count, b, c], scalars: flat)
  }

  /// A tensor of `shape` filled with `value` (NumPy `full`).
  ///
  /// - Precondition: no dimension is negative and the element count fits in `Int` (traps with
  ///   the shape; ``init(shape:repeating:)`` throws instead).
  /// - Complexity: O(n).
  public static func full(_ shape: [Int], _ value: Scalar) -> Tensor {
    do { return try Tensor(shape: shape, repeating: value) } catch { fatalError("\(error)") }
  }

  /// A tensor of `shape` filled with 0 (`torch.zeros`, `np.zeros`, `mx.zeros`).
  ///
  /// - Precondition: as ``full(_:_:)``.
  public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }

  /// A tensor of `shape` filled with 1 (`torch.ones`).
  ///
  /// - Precondition: as ``full(_:_:)``.
  public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

  /// A tensor of `shape` with independent normal samples `mean + standardDeviation · z`.
  ///
  /// `z` comes from the Box–Muller transform of two uniforms of `generator`, in `Double`, rounded
  /// once to `Scalar`; the same generator state gives the same tensor on every platform.
  ///
  /// - Parameters:
  ///   - shape: The shape (as in ``full(_:_:)``).
  ///   - mean: The mean. Default 0.
  ///   - standardDeviation: The standard deviation. Default 1.
  ///   - generator: The seeded generator, advanced by two draws per element.
  /// - Precondition: as ``full(_:_:)``.
  /// - Complexity: O(n).
  public static func random(
    normal shape: [Int], mean: Double = 0, standardDeviation: Double = 1, using generator: inout SeededGenerator
  ) -> Tensor {
    var t = zeros(shape)
    for i in 0..<t.count {
      let u = 1 - generator.nextUniform()  // (0, 1]: log(u) is finite
      let v = generator.nextUniform()
      let z = (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
      t.scalars[i] = Scalar(mean + standardDeviation * z)
    }
    return t
  }

  /// A tensor of `shape` with normal samples from a fresh ``SeededGenerator`` seeded with `seed`.
  ///
  /// `Tensor<Float>.random(normal: [2, 3], seed: 0)` is `torch.manual_seed(0); torch.randn(2, 3)` in
  /// spirit (the streams differ).
  public static func random(
    normal shape: [Int], mean: Double = 0, standardDeviation: Double = 1, seed: UInt64
  ) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return random(normal: shape, mean: mean, standardDeviation: standardDeviation, using: &g)
  }

  /// A tensor of `shape` with independent uniform samples in `range.lowerBound ..< range.upperBound`
  /// (`lower + (upper − lower) · u`, u in [0, 1) with 53 random bits, rounded once to `Scalar`).
  ///
  /// Rounding to `Float` or `Float16` can give `upperBound` itself when the range is wide in ulps
  /// of the type, as in NumPy.
  ///
  /// - Precondition: as ``full(_:_:)``; the bounds are finite.
  /// - Complexity: O(n).
  public static func random(
    uniform shape: [Int], in range: Range<Double> = 0..<1, using generator: inout SeededGenerator
  ) -> Tensor {
    guard range.lowerBound.isFinite, range.upperBound.isFinite else {
      fatalError("random(uniform:) needs finite bounds, got \(range)")
    }
    var t = zeros(shape)
    let width = range.upperBound - range.lowerBound
    for i in 0..<t.count { t.scalars[i] = Scalar(range.lowerBound + width * generator.nextUniform()) }
    return t
  }

  /// A tensor of `shape` with uniform samples from a fresh ``SeededGenerator`` seeded with `seed`.
  public static func random(uniform shape: [Int], in range: Range<Double> = 0..<1, seed: UInt64) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return random(uniform: shape, in: range, using: &g)
  }
}

/// One element of a tensor's array literal: a number, or an array of elements (a row of a matrix,
/// a block of a rank-3 tensor, …), so that `[[1, 2], [3, 4]]` spells a `Tensor<Float>` (as
/// swift-apis' `_TensorElementLiteral` did). Integer and float literals become `Scalar` rounded
/// to nearest; `.nan`, `.infinity` and `-.infinity` are written as in Swift. Variables are not
/// literals: pass them as arrays (`Tensor([x, y])`, `Tensor([[x, y], [z, w]])`).
public enum TensorLiteral<Scalar: TensorScalar>: ExpressibleByArrayLiteral, ExpressibleByFloatLiteral,
  ExpressibleByIntegerLiteral
{
  /// A number.
  case scalar(Scalar)
  /// A nested array.
  case array([TensorLiteral])

  public init(arrayLiteral elements: TensorLiteral...) { self = .array(elements) }
  public init(floatLiteral value: Double) { self = .scalar(Scalar(value)) }
  public init(integerLiteral value: Int) { self = .scalar(Scalar(value)) }

  /// A computed value inside a literal: `[[.init(x), 1], [2, 3]]`. (Values computed at run time
  /// are more simply passed as arrays: `Tensor([[x, 1], [2, 3]])`.)
  public init(_ value: Scalar) { self = .scalar(value) }

  /// NaN, inside a literal: `[1, .nan]`.
  public static var nan: TensorLiteral { .scalar(.nan) }
  /// Positive infinity, inside a literal: `[1, .infinity, -.infinity]`.
  public static var infinity: TensorLiteral { .scalar(.infinity) }

  /// The negated number (`-.infinity` inside a literal).
  ///
  /// - Precondition: `x` is a number, not an array.
  public static prefix func - (x: TensorLiteral) -> TensorLiteral {
    guard case .scalar(let v) = x else { fatalError("a tensor literal row cannot be negated") }
    return .scalar(-v)
  }

  /// The shape and the row-major scalars of a literal's top-level elements; traps on ragged input.
  static func flatten(_ elements: [TensorLiteral]) -> (shape: [Int], scalars: [Scalar]) {
    var scalars: [Scalar] = []
    var leafDepth: Int?
    func walk(_ e: TensorLiteral, depth: Int, path: [Int], into dims: inout [Int]) {
      switch e {
      case .scalar(let v):
        if leafDepth == nil { leafDepth = depth }
        if dims.count != depth || leafDepth != depth {
          fatalError(
            "ragged tensor literal: element \(describe(path)) is a number where arrays of depth \(dims.count) are")
        }
        scalars.append(v)
      case .array(let a):
        if let leafDepth, depth >= leafDepth {
          fatalError("ragged tensor literal: element \(describe(path)) is an array where numbers are")
        }
        if depth == dims.count { dims.append(a.count) }
        guard depth < dims.count, dims[depth] == a.count else {
          fatalError(
            "ragged tensor literal: \(path.isEmpty ? "the literal" : "row \(describe(path))") has \(a.count) elements, "
              + "another array at its depth has \(depth < dims.count ? dims[depth] : 0)")
        }
        for (i, x) in a.enumerated() { walk(x, depth: depth + 1, path: path + [i], into: &dims) }
      }
    }
    func describe(_ path: [Int]) -> String { path.map { "[\($0)]" }.joined() }
    var dims: [Int] = []
    walk(.array(elements), depth: 0, path: [], into: &dims)
    precondition(dims.reduce(1, *) == scalars.count, "ragged tensor literal of shape \(dims)")
    return (dims, scalars)
  }
}
