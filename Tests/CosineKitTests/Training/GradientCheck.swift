import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTestSupport
import CosineTraining

/// The gradient tests' checks, in Double, on the finite differences of CosineTestSupport
/// (`numericalGradient`, `finiteDifferenceGradient`, `weightedSum`).
enum GradientCheck {
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
    let w = uniformTensor(y.shape, &g)
    let grads = try pullback(w)
    #expect(grads.input.shape == x.shape, sourceLocation: sourceLocation)
    let numInput = try numericalGradient(x.scalars) { v in
      weightedSum(w, try layer(try Tensor(shape: x.shape, scalars: v)))
    }
    expectClose(grads.input.scalars, numInput, tolerance: tolerance, "input gradient", sourceLocation: sourceLocation)
    let params = layer.parameters
    #expect(grads.parameters.count == params.count, sourceLocation: sourceLocation)
    for (i, p) in params.enumerated() {
      #expect(grads.parameters[i].shape == p.shape, sourceLocation: sourceLocation)
      let num = try numericalGradient(p.scalars) { v in
        var l = layer
        var ps = params
        ps[i] = try Tensor(shape: p.shape, scalars: v)
        l.parameters = ps
        return weightedSum(w, try l(x))
      }
      expectClose(
        grads.parameters[i].scalars, num, tolerance: tolerance, "gradient of \(layer.parameterNames[i])",
        sourceLocation: sourceLocation)
    }
  }
}
