import CosineCore

/// Per-pair cosines of two [B, D] matrices under a norm floor, with the backward pass of any
/// function of them (the row engine's sums in `Double`, rows of any finite magnitude exact).
package struct PairCosines<T: TensorScalar>: Sendable {
  package let rows: RowPairs<T>
  package let floor: NormFloor
  /// The clamped cosine of each pair.
  package let cos: [Double]

  package init(_ x1: Tensor<T>, _ x2: Tensor<T>, eps: Double, loss: String) throws {
    rows = try RowPairs(x1, x2, axis: -1, operation: loss)
    floor = .clamp(eps)
    let r = rows
    let f = floor
    cos = (0..<r.layout.rows).map { r.cosine(ofRow: $0, floor: f).cos }
  }

  /// Gradients of `Σ_r slope[r]·cos_r` with respect to both inputs.
  package func backward(slope: [Double]) -> (Tensor<T>, Tensor<T>) {
    rows.backward(coefficients: rows.cosineCoefficients(floor: floor) { slope[$0] })
  }
}

/// Adds two tensors of one shape, in `Double`, rounding once.
package func addGradients<T: TensorScalar>(_ x: Tensor<T>, _ y: Tensor<T>) -> Tensor<T> {
  Tensor(uncheckedShape: x.shape, scalars: zip(x.scalars, y.scalars).map { T(Double($0) + Double($1)) })
}
