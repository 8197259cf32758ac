import CosineCore

/// The cosine-similarity losses, with their values and exact gradients.
///
/// Each loss is a function of one per-sample cosine `cos` taken along `axis` (inputs broadcast
/// first), then weighted and reduced:
///
/// | kind | per-sample loss | cosine used |
/// |---|---|---|
/// | ``Kind-swift.enum/keras`` | `−cos` | norms floored at 1e-7 (Keras 3 `l2_normalize`) |
/// | ``Kind-swift.enum/cosineDistance(eps:)`` | `1 − cos` | norms floored at eps (PyTorch `cosine_similarity`) |
/// | ``Kind-swift.enum/embedding(margin:)`` | `1 − cos` if y = 1, `max(0, cos − margin)` if y = −1 | `Σx1x2/√((‖x1‖²+1e-12)(‖x2‖²+1e-12))` (PyTorch `CosineEmbeddingLoss`) |
/// | ``Kind-swift.enum/mse(eps:)`` | `(cos − label)²` | as cosineDistance (sentence-transformers `CosineSimilarityLoss`) |
///
/// ```swift
/// let yTrue = try Tensor<Float>(rows: [[0, 1], [1, 1], [1, 1]])
/// let yPred = try Tensor<Float>(rows: [[1, 0], [1, 1], [-1, -1]])
/// try CosineLoss(.keras, reduction: .none)(yTrue, yPred)  // [-0, -1, 1]
/// ```
///
/// Every kind defaults to the ``Reduction/mean`` reduction.
///
/// **Edge cases:**
/// - A zero vector gives cos = 0 (keras: loss −0; cosineDistance: 1), with a finite gradient.
/// - `cos` is within [−1, 1] and exact for every finite input (see <doc:NumericalConventions>).
/// - An empty batch gives an empty `none` result and 0 for `sum` and `mean`.
/// - NaN inputs give NaN losses and gradients.
public struct CosineLoss: Sendable, Equatable {
  /// Which cosine loss.
  public enum Kind: Sendable, Equatable {
    /// Keras 3 `keras.losses.cosine_similarity`: `−Σ l2n(y_true)·l2n(y_pred)`, norm floored at 1e-7.
    case keras
    /// `1 − cos` with PyTorch's `cosine_similarity` (each norm floored at `eps`).
    case cosineDistance(eps: Double = 1e-8)
    /// PyTorch `nn.CosineEmbeddingLoss(margin)`; needs a ±1 target per sample.
    case embedding(margin: Double = 0)
    /// sentence-transformers `CosineSimilarityLoss`: `(cos − label)²`; needs a label per sample.
    case mse(eps: Double = 1e-8)

    /// Whether the loss reads a per-sample target (±1) or label.
    public var needsTarget: Bool {
      switch self {
      case .embedding, .mse: true
      case .keras, .cosineDistance: false
      }
    }

    package var floor: NormFloor {
      switch self {
      case .keras: .clamp(1e-7)
      case .cosineDistance(let eps), .mse(let eps): .clamp(eps)
      case .embedding: .smoothSquare(1e-12)
      }
    }
  }

  /// The loss kind.
  public var kind: Kind
  /// The axis along which the cosine is taken. Default −1.
  public var axis: Int
  /// How per-sample losses are combined. Default ``Reduction/mean``.
  public var reduction: Reduction

  /// Creates a loss.
  public init(_ kind: Kind, axis: Int = -1, reduction: Reduction = .mean) {
    self.kind = kind
    self.axis = axis
    self.reduction = reduction
  }

  /// The loss value.
  ///
  /// - Parameters:
  ///   - yTrue: First input (Keras's `y_true`, PyTorch's `input1`).
  ///   - yPred: Second input, broadcastable with `yTrue`.
  ///   - target: Per-sample ±1 targets (`embedding`) or labels (`mse`), broadcastable to the
  ///     per-sample loss shape. Required by those kinds, rejected by the others.
  ///   - sampleWeight: Optional per-sample weights, broadcastable to the per-sample loss shape.
  /// - Returns: Per-sample losses (``Reduction/none``) or a rank-0 tensor.
  /// - Throws: ``CosineError`` for shape mismatches, a bad axis, a missing or unexpected target,
  ///   a target other than ±1 for `embedding`, or an invalid eps or margin.
  public func callAsFunction<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>? = nil, sampleWeight: Tensor<T>? = nil
  ) throws -> Tensor<T> {
    try valueWithPullback(yTrue, yPred, target: target, sampleWeight: sampleWeight).value
  }

  /// The loss value and the gradients of the (reduced) loss with respect to both inputs,
  /// in their own shapes. For ``Reduction/none`` the gradient is that of the sum of the
  /// per-sample losses. The forward pass's row sums are reused.
  ///
  /// At `embedding`'s hinge (`cos == margin` for y = −1) the subgradient 0 is used, as PyTorch does.
  public func valueWithGradient<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>? = nil, sampleWeight: Tensor<T>? = nil
  ) throws -> (value: Tensor<T>, gradientTrue: Tensor<T>, gradientPred: Tensor<T>) {
    var g1: [T] = []
    var g2: [T] = []
    let value = try evaluate(yTrue, yPred, target: target, sampleWeight: sampleWeight, into: &g1, &g2)
    return (value, Tensor(uncheckedShape: yTrue.shape, scalars: g1), Tensor(uncheckedShape: yPred.shape, scalars: g2))
  }

  /// The loss value, with the gradients written into `gradientTrue` and `gradientPred`.
  ///
  /// The same as ``valueWithGradient(_:_:target:sampleWeight:)``, but the gradient tensors'
  /// storage is reused when they already have the inputs' shapes, so a training loop that keeps
  /// them between steps allocates nothing the size of its inputs (like PyTorch's persistent
  /// `.grad` tensors, but overwritten rather than accumulated).
  public func valueWithGradient<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>? = nil, sampleWeight: Tensor<T>? = nil,
    gradientTrue: inout Tensor<T>, gradientPred: inout Tensor<T>
  ) throws -> Tensor<T> {
    // Move the storage out (so it is uniquely referenced and written in place), when it fits.
    var g1: [T] = []
    var g2: [T] = []
    if gradientTrue.shape == yTrue.shape { swap(&g1, &gradientTrue.scalars) }
    if gradientPred.shape == yPred.shape { swap(&g2, &gradientPred.scalars) }
    let value = try evaluate(yTrue, yPred, target: target, sampleWeight: sampleWeight, into: &g1, &g2)
    gradientTrue = Tensor(uncheckedShape: yTrue.shape, scalars: g1)
    gradientPred = Tensor(uncheckedShape: yPred.shape, scalars: g2)
    return value
  }

  /// The loss value and a pullback from an upstream gradient of the value's shape to the
  /// gradients with respect to both inputs.
  public func valueWithPullback<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>? = nil, sampleWeight: Tensor<T>? = nil
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    guard let kernels = T.lossKernels else {
      return try LossOp.valueWithPullback(self, yTrue, yPred, target: target, sampleWeight: sampleWeight)
    }
    return try Self.evaluate(kernels, self, yTrue, yPred, target: target, sampleWeight: sampleWeight)
  }

  /// The value, with the gradients of the (reduced) loss written into `g1` and `g2` (their
  /// storage reused when it has the inputs' counts), through the scalar type's ``KernelScalar``
  /// witness: concrete code, so the passes run specialized whatever the caller.
  package func evaluate<T: TensorScalar>(
    _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?,
    into g1: inout [T], _ g2: inout [T]
  ) throws -> Tensor<T> {
    guard let kernels = T.lossKernels else {
      return try LossOp.valueWithGradients(self, yTrue, yPred, target: target, sampleWeight: sampleWeight, &g1, &g2)
    }
    return try Self.evaluate(kernels, self, yTrue, yPred, target: target, sampleWeight: sampleWeight, &g1, &g2)
  }

  private static func evaluate<K: LossKernelScalar, T: TensorScalar>(
    _: K.Type, _ loss: Self, _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?,
    _ g1: inout [T], _ g2: inout [T]
  ) throws -> Tensor<T> {
    precondition(T.self == K.self)
    // The arrays are rebound in place (not copied), so their storage stays uniquely referenced.
    let value = try withUnsafeMutablePointer(to: &g1) { p1 in
      try withUnsafeMutablePointer(to: &g2) { p2 in
        try p1.withMemoryRebound(to: [K].self, capacity: 1) { q1 in
          try p2.withMemoryRebound(to: [K].self, capacity: 1) { q2 in
            try K.cosineLoss(
              loss, yTrue.retyped(K.self), yPred.retyped(K.self), target: target?.retyped(K.self),
              sampleWeight: sampleWeight?.retyped(K.self), into: &q1.pointee, &q2.pointee)
          }
        }
      }
    }
    return value.retyped(T.self)
  }

  private static func evaluate<K: LossKernelScalar, T: TensorScalar>(
    _: K.Type, _ loss: Self, _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    K.retyped(
      try K.cosineLoss(
        loss, yTrue.retyped(K.self), yPred.retyped(K.self), target: target?.retyped(K.self),
        sampleWeight: sampleWeight?.retyped(K.self)))
  }
}

extension LossOp {
  /// The value and a pullback over the evaluated loss.
  package static func valueWithPullback(
    _ loss: CosineLoss, _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> (Tensor<T>, Tensor<T>)) {
    let op = try LossOp(loss, yTrue, yPred, target: target, sampleWeight: sampleWeight)
    return (op.value, { g in try op.pullback(g) })
  }

  /// The value, with the gradients of the (reduced) loss written into `g1` and `g2`.
  package static func valueWithGradients(
    _ loss: CosineLoss, _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?,
    _ g1: inout [T], _ g2: inout [T]
  ) throws -> Tensor<T> {
    let op = try LossOp(loss, yTrue, yPred, target: target, sampleWeight: sampleWeight)
    op.gradients(upstream: 1, into: &g1, &g2)
    return op.value
  }
}

extension LossKernelScalar {
  package static func cosineLoss(
    _ loss: CosineLoss, _ yTrue: Tensor<Self>, _ yPred: Tensor<Self>, target: Tensor<Self>?,
    sampleWeight: Tensor<Self>?
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> (Tensor<Self>, Tensor<Self>)) {
    try LossOp<Self>.valueWithPullback(loss, yTrue, yPred, target: target, sampleWeight: sampleWeight)
  }

  package static func cosineLoss(
    _ loss: CosineLoss, _ yTrue: Tensor<Self>, _ yPred: Tensor<Self>, target: Tensor<Self>?,
    sampleWeight: Tensor<Self>?, into g1: inout [Self], _ g2: inout [Self]
  ) throws -> Tensor<Self> {
    try LossOp<Self>.valueWithGradients(loss, yTrue, yPred, target: target, sampleWeight: sampleWeight, &g1, &g2)
  }
}

/// The evaluated loss: per-sample values and derivatives with respect to the cosine.
package struct LossOp<T: TensorScalar>: Sendable {
  package let loss: CosineLoss
  package let rows: RowPairs<T>
  /// Per sample: weight · dL/dcos.
  package let slope: [Double]
  package let value: Tensor<T>
  package let count: Int

  package init(
    _ loss: CosineLoss, _ yTrue: Tensor<T>, _ yPred: Tensor<T>, target: Tensor<T>?, sampleWeight: Tensor<T>?
  ) throws {
    self.loss = loss
    switch loss.kind {
    case .cosineDistance(let eps), .mse(let eps): try checkEps(eps)
    case .embedding(let margin):
      guard margin.isFinite else { throw CosineError.invalidArgument("margin must be finite, got \(margin)") }
    case .keras: break
    }
    rows = try RowPairs(yTrue, yPred, axis: loss.axis, operation: "cosine loss")
    let shape = rows.layout.outputShape
    let n = rows.layout.rows
    count = n
    if loss.kind.needsTarget && target == nil {
      throw CosineError.invalidArgument(
        "the \(loss.kind.name) loss needs a target (one per sample, shape \(Shape.describe(shape)))")
    }
    if !loss.kind.needsTarget && target != nil {
      throw CosineError.invalidArgument("the \(loss.kind.name) loss takes no target")
    }
    let t = try target.map { try Self.expand($0, to: shape, what: "target") }
    let w = try sampleWeight.map { try Self.expand($0, to: shape, what: "sample weight") }
    if case .embedding = loss.kind, let t {
      for (i, y) in t.enumerated() where y != 1 && y != -1 {
        throw CosineError.invalidTarget(value: y, index: i)
      }
    }
    var per = [Double](repeating: 0, count: n)
    var slope = [Double](repeating: 0, count: n)
    let floor = loss.kind.floor
    for r in 0..<n {
      let cos = rows.cosine(ofRow: r, floor: floor).cos
      var l: Double
      var d: Double
      switch loss.kind {
      case .keras: (l, d) = (-cos, -1)
      case .cosineDistance: (l, d) = (1 - cos, -1)
      case .mse:
        let e = cos - t![r]
        (l, d) = (e * e, 2 * e)
      case .embedding(let margin):
        if t![r] == 1 {
          (l, d) = (1 - cos, -1)
        } else if cos.isNaN {
          (l, d) = (cos, cos)
        } else {
          (l, d) = cos > margin ? (cos - margin, 1) : (0, 0)
        }
      }
      let wr = w?[r] ?? 1
      per[r] = wr * l
      slope[r] = wr * d
    }
    self.slope = slope
    switch loss.reduction {
    case .none: value = Tensor(uncheckedShape: shape, scalars: per.map { T($0) })
    case .sum: value = Tensor(scalar: T(per.reduce(0, +)))
    case .mean: value = Tensor(scalar: n == 0 ? 0 : T(per.reduce(0, +) / Double(n)))
    }
  }

  /// Broadcasts a per-sample tensor to the loss shape, as Doubles.
  package static func expand(_ x: Tensor<T>, to shape: [Int], what: String) throws -> [Double] {
    let b = try Shape.broadcast(x.shape, shape, operation: what)
    guard b == shape else {
      throw CosineError.shapeMismatch(
        operation: "\(what) (must broadcast to the per-sample loss shape)", x.shape, shape)
    }
    if x.shape == shape { return x.scalars.map(Double.init) }
    let strides = Shape.broadcastStrides(x.shape, to: shape)
    let n = shape.reduce(1, *)
    var out = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var rem = i
      var off = 0
      for d in stride(from: shape.count - 1, through: 0, by: -1) {
        off += (rem % shape[d]) * strides[d]
        rem /= shape[d]
      }
      out[i] = Double(x.scalars[off])
    }
    return out
  }

  /// Gradients of the value's sum scaled by `upstream` (reductions sum/mean) or weighted per
  /// sample by `perSample` (reduction none).
  package func gradients(upstream: Double, perSample: [Double]? = nil) -> (Tensor<T>, Tensor<T>) {
    var g1: [T] = []
    var g2: [T] = []
    gradients(upstream: upstream, perSample: perSample, into: &g1, &g2)
    return (Tensor(uncheckedShape: rows.a.shape, scalars: g1), Tensor(uncheckedShape: rows.b.shape, scalars: g2))
  }

  /// As ``gradients(upstream:perSample:)``, writing into (and reusing) `g1` and `g2`.
  package func gradients(upstream: Double, perSample: [Double]? = nil, into g1: inout [T], _ g2: inout [T]) {
    let factor = loss.reduction == .mean ? (count == 0 ? 0 : upstream / Double(count)) : upstream
    let coef = rows.cosineCoefficients(floor: loss.kind.floor) { slope[$0] * factor * (perSample?[$0] ?? 1) }
    rows.backward(coefficients: coef, into: &g1, &g2)
  }

  package func pullback(_ g: Tensor<T>) throws -> (Tensor<T>, Tensor<T>) {
    guard g.shape == value.shape else {
      throw CosineError.shapeMismatch(operation: "loss gradient", g.shape, value.shape)
    }
    if loss.reduction == .none { return gradients(upstream: 1, perSample: g.scalars.map(Double.init)) }
    return gradients(upstream: Double(g.scalars[0]))
  }
}

extension CosineLoss.Kind {
  /// The kind's name on the command line.
  public var name: String {
    switch self {
    case .keras: "keras"
    case .cosineDistance: "cosine-distance"
    case .embedding: "embedding"
    case .mse: "mse"
    }
  }
}
