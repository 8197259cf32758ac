import CosineCore

/// The feed-forward activations and their derivatives:
/// - `gelu`: `f(u) = u·Φ(u)`, `f′(u) = Φ(u) + u·φ(u)` with `Φ(u) = (1 + erf(u/√2))/2` and
///   `φ(u) = e^(−u²/2)/√(2π)`;
/// - `geluTanh`: `f(u) = u·(1 + T)/2` with `T = tanh(c·(u + 0.044715u³))`, `c = √(2/π)`,
///   `f′(u) = (1 + T)/2 + u·(1 − T²)·c·(1 + 3·0.044715u²)/2`;
/// - `relu`: `f(u) = max(u, 0)`, `f′(u) = 1` for `u > 0`, else 0 (PyTorch's choice at 0).
package enum ActivationOp<Scalar: EncoderScalar> {
  /// `g = f(u)` for `count` values; `g` may be `u` (in place).
  package static func forward(
    _ u: UnsafePointer<Scalar>, count: Int, _ activation: BertActivation, into g: UnsafeMutablePointer<Scalar>
  ) {
    Parallel.forEachRange(count, costPerItem: 20) { range in
      if UnsafePointer(g) != u { (g + range.lowerBound).update(from: u + range.lowerBound, count: range.count) }
      switch activation {
      case .gelu: Scalar.geluErf(g + range.lowerBound, count: range.count)
      case .geluTanh:
        let c = (2 / Scalar.pi).squareRoot()
        for i in range {
          let v = u[i]
          g[i] = v * (1 + Scalar.tanh(c * (v + Scalar(0.044715) * v * v * v))) / 2
        }
      case .relu: for i in range { g[i] = Swift.max(u[i], 0) }
      }
    }
  }

  /// `g = f(u)` and `d = f′(u)` for `count` values, for the backward pass: `f(u)` for the
  /// gradient of the next projection's weights, `f′(u)` to multiply into the incoming gradient
  /// (``multiply(_:by:count:)``). The exact GELU uses the fused kernel.
  package static func valueAndDerivative(
    _ u: UnsafePointer<Scalar>, count: Int, _ activation: BertActivation, value g: UnsafeMutablePointer<Scalar>,
    derivative d: UnsafeMutablePointer<Scalar>
  ) {
    Parallel.forEachRange(count, costPerItem: 30) { range in
      switch activation {
      case .gelu:
        Scalar.geluErfDerivative(
          u + range.lowerBound, value: g + range.lowerBound, derivative: d + range.lowerBound, count: range.count)
      case .geluTanh:
        let c = (2 / Scalar.pi).squareRoot()
        let a = Scalar(0.044715)
        for i in range {
          let v = u[i]
          let t = Scalar.tanh(c * (v + a * v * v * v))
          g[i] = v * (1 + t) / 2
          d[i] = (1 + t) / 2 + v * (1 - t * t) * c * (1 + 3 * a * v * v) / 2
        }
      case .relu:
        for i in range {
          g[i] = Swift.max(u[i], 0)
          d[i] = u[i] > 0 ? 1 : 0
        }
      }
    }
  }

  /// `x[i] ← x[i]·y[i]` for `count` values.
  package static func multiply(_ x: UnsafeMutablePointer<Scalar>, by y: UnsafePointer<Scalar>, count: Int) {
    Parallel.forEachRange(count, costPerItem: 2) { range in
      for i in range { x[i] *= y[i] }
    }
  }
}
