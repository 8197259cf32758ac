import CosineCore

/// sentence-transformers' `MatryoshkaLoss`: a loss evaluated on leading slices of the
/// embeddings, so that truncated embeddings stay useful.
///
/// `Σ_k w_k · L(F.normalize(x[:, :d_k]), …)`: every input (and the negatives) is truncated to
/// its first `d_k` columns and re-normalized (norm clamped at 1e-12) before the wrapped loss
/// `L` sees it. The gradients flow back through the normalization into the first `d_k`
/// columns; the scale gradient is `Σ_k w_k · ∂L_k/∂scale`.
///
/// ```swift
/// let loss = try MatryoshkaLoss(MultipleNegativesRankingLoss(), dims: [768, 512, 256, 64])
/// ```
///
/// **Edge cases:** a slice that is all zeros normalizes to zeros (gradient 1e12 × upstream);
/// a dimension larger than the inputs' D is an error at evaluation.
/// - Complexity: the wrapped loss's, once per dimension.
public struct MatryoshkaLoss: BatchCosineLoss {
  /// The wrapped loss's kind: Matryoshka takes what the loss it wraps takes.
  public var kind: BatchLossKind? { loss.kind }

  /// The wrapped loss.
  public let loss: any BatchCosineLoss
  /// The dimensions, in the order given.
  public let dims: [Int]
  /// One weight per dimension.
  public let weights: [Double]

  /// Wraps `loss`.
  ///
  /// - Parameters:
  ///   - loss: Any batch loss (it is evaluated once per dimension).
  ///   - dims: Positive dimensions, not empty.
  ///   - weights: Finite weights, one per dimension; default 1 each.
  /// - Throws: ``CosineError/invalidArgument(_:)`` for empty or non-positive dims, or weights
  ///   of another count or not finite.
  public init(_ loss: any BatchCosineLoss, dims: [Int], weights: [Double]? = nil) throws {
    guard !dims.isEmpty, dims.allSatisfy({ $0 > 0 }) else {
      throw CosineError.invalidArgument("matryoshka dims must be a non-empty list of positive integers, got \(dims)")
    }
    let w = weights ?? [Double](repeating: 1, count: dims.count)
    guard w.count == dims.count else {
      throw CosineError.invalidArgument(
        "matryoshka weights must have one weight per dim (\(dims.count)), got \(w.count)")
    }
    guard w.allSatisfy(\.isFinite) else {
      throw CosineError.invalidArgument("matryoshka weights must be finite, got \(w)")
    }
    self.loss = loss
    self.dims = dims
    self.weights = w
  }

  /// The weighted sum of the wrapped loss over the dimensions, and its pullback.
  ///
  /// - Throws: ``CosineError`` for a dimension larger than the inputs' last dimension, and
  ///   whatever the wrapped loss throws.
  public func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    guard first.rank == 2 else {
      throw CosineError.shapeMismatch(operation: "matryoshka loss (needs [B, D] matrices)", first.shape, second.shape)
    }
    let full = first.shape[1]
    if let bad = dims.first(where: { $0 > full }) {
      throw CosineError.invalidArgument("matryoshka dim \(bad) is larger than the embeddings' dimension \(full)")
    }
    let inputs = [first, second] + (negatives.map { [$0] } ?? [])
    for t in inputs.dropFirst() where t.shape.last != full {
      throw CosineError.shapeMismatch(operation: "matryoshka loss (inputs must share D)", first.shape, t.shape)
    }
    var total: [Double] = []
    var shape: [Int] = []
    var parts: [(slices: [Slice<T>], pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>)] = []
    for (k, dk) in dims.enumerated() {
      let slices = inputs.map { Slice($0, dim: dk) }
      let neg = negatives == nil ? nil : slices[2].tensor
      let (v, pb) = try loss.valueWithPullback(slices[0].tensor, slices[1].tensor, negatives: neg, target: target)
      if total.isEmpty {
        total = [Double](repeating: 0, count: v.count)
        shape = v.shape
      }
      for i in 0..<v.count { total[i] += weights[k] * Double(v.scalars[i]) }
      parts.append((slices, pb))
    }
    let weights = self.weights
    let frozen = parts
    return (
      Tensor(uncheckedShape: shape, scalars: total.map { T($0) }),
      { g in
        var grads = inputs.map { [Double](repeating: 0, count: $0.count) }
        var sg = 0.0
        for (k, part) in frozen.enumerated() {
          let gk = try part.pullback(g)
          sg += weights[k] * gk.scale
          let inner = [gk.first, gk.second] + (gk.negatives.map { [$0] } ?? [])
          for (x, gi) in inner.enumerated() { part.slices[x].accumulate(gi, weight: weights[k], into: &grads[x]) }
        }
        let out = zip(inputs, grads).map { Tensor<T>(uncheckedShape: $0.shape, scalars: $1.map { T($0) }) }
        return BatchLossGradients(first: out[0], second: out[1], negatives: out.count > 2 ? out[2] : nil, scale: sg)
      }
    )
  }
}

/// The first `dim` columns of every row of a tensor, normalized (`F.normalize`, eps 1e-12).
package struct Slice<T: TensorScalar>: Sendable {
  package let raw: [T]
  package let fullDim: Int
  package let norms: NormalizedRows<Double>
  package let tensor: Tensor<T>

  package init(_ x: Tensor<T>, dim: Int) {
    fullDim = x.shape.last ?? 0
    let rows = fullDim == 0 ? 0 : x.count / fullDim
    var cut = [T](repeating: 0, count: rows * dim)
    for r in 0..<rows { for k in 0..<dim { cut[r * dim + k] = x.scalars[r * fullDim + k] } }
    raw = cut
    norms = cut.withUnsafeBufferPointer { NormalizedRows($0, rows: rows, dim: dim, eps: 1e-12) }
    tensor = Tensor(uncheckedShape: Array(x.shape.dropLast()) + [dim], scalars: norms.values.map { T($0) })
  }

  /// Adds `weight ×` the gradient with respect to the raw columns, given `g` with respect to
  /// the normalized slice, into `out` (full rows).
  package func accumulate(_ g: Tensor<T>, weight: Double, into out: inout [Double]) {
    let dim = norms.dim
    var rowGrad = [Double](repeating: 0, count: dim)
    var back = [Double](repeating: 0, count: dim)
    raw.withUnsafeBufferPointer { x in
      for r in 0..<norms.rows {
        for k in 0..<dim { rowGrad[k] = Double(g.scalars[r * dim + k]) }
        // backward writes row r of a [rows, dim] buffer; give it a one-row view.
        rowGrad.withUnsafeBufferPointer { gr in
          back.withUnsafeMutableBufferPointer { b in
            norms.backwardRow(x, row: r, gradient: gr, into: b)
          }
        }
        for k in 0..<dim { out[r * fullDim + k] += weight * back[k] }
      }
    }
  }
}
