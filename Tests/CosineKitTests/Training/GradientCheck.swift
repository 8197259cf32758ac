import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Finite-difference helpers for the gradient tests, all in Double.
enum GradientCheck {
  /// A tensor of uniform values in [-scale, scale), from a seeded generator.
  static func random(_ shape: [Int], _ g: inout SeededGenerator, scale: Double = 1) -> Tensor<Double> {
    uniformTensor(shape, &g, scale: scale)
  }

  /// Central differences of `f` at `x` (the shared `numericalGradient`).
  static func numerical(_ x: [Double], _ f: ([Double]) throws -> Double) rethrows -> [Double] {
    try numericalGradient(x, f)
  }

  /// `Σ w·y`, the scalar whose gradient with respect to y is w.
  static func dot(_ w: Tensor<Double>, _ y: Tensor<Double>) -> Double {
    zip(w.scalars, y.scalars).reduce(0) { $0 + $1.0 * $1.1 }
  }

  /// Expects `actual ≈ expected` element-wise within `tolerance · (1 + max |expected|)`.
  static func expectClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double = 1e-6, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(actual.count == expected.count, "\(what): counts differ", sourceLocation: sourceLocation)
    let scale = 1 + (expected.map(abs).max() ?? 0)
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    #expect(
      worst <= tolerance * scale, "\(what): max error \(worst) > \(tolerance * scale)", sourceLocation: sourceLocation)
  }

  /// Checks a layer's pullback against finite differences of `Σ w·layer(x)` with respect to
  /// the input and to every parameter.
  static func check<L: Layer>(
    _ layer: L, input x: Tensor<Double>, seed: UInt64 = 7, tolerance: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws where L.Scalar == Double {
    var g = SeededGenerator(seed: seed)
    let (y, pullback) = try layer.valueWithPullback(x)
    let w = random(y.shape, &g)
    let grads = try pullback(w)
    #expect(grads.input.shape == x.shape, sourceLocation: sourceLocation)
    let numInput = try numerical(x.scalars) { v in dot(w, try layer(try Tensor(shape: x.shape, scalars: v))) }
    expectClose(grads.input.scalars, numInput, tolerance: tolerance, "input gradient", sourceLocation: sourceLocation)
    let params = layer.parameters
    #expect(grads.parameters.count == params.count, sourceLocation: sourceLocation)
    for (i, p) in params.enumerated() {
      #expect(grads.parameters[i].shape == p.shape, sourceLocation: sourceLocation)
      let num = try numerical(p.scalars) { v in
        var l = layer
        var ps = params
        ps[i] = try Tensor(shape: p.shape, scalars: v)
        l.parameters = ps
        return dot(w, try l(x))
      }
      expectClose(
        grads.parameters[i].scalars, num, tolerance: tolerance, "gradient of \(layer.parameterNames[i])",
        sourceLocation: sourceLocation)
    }
  }
}
