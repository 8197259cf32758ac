#if canImport(_Differentiation)
  import _Differentiation
  import Testing

  import CosineAnalysis
  import CosineCore
  import CosineKit
  import CosineLosses
  import CosineSearch
  import CosineTraining

  /// Autodiff through the Tensor conveniences equals central finite differences in Double.
  @Suite struct TensorDifferentiationTests {
    /// Checks the gradient of `f` at `x` against finite differences.
    func check(
      _ x: Tensor<Double>, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
      _ f: @escaping @differentiable(reverse) (Tensor<Double>) -> Double
    ) {
      let auto = gradient(at: x, of: f)
      #expect(auto.shape == x.shape, "\(what): gradient shape", sourceLocation: sourceLocation)
      let numerical = numericalGradient(x.scalars) { v in f(try! Tensor(shape: x.shape, scalars: v)) }
      GradientCheck.expectClose(auto.scalars, numerical, tolerance: 1e-6, what, sourceLocation: sourceLocation)
    }

    @Test func elementWiseWithBroadcasting() {
      var g = SeededGenerator(seed: 1)
      let a = uniformTensor([3, 4], &g)
      let b = uniformTensor([4], &g) + 2
      let w = uniformTensor([3, 4], &g)
      check(a, "+ (lhs)") { x in (w * (x + b)).sum().item() }
      check(b, "+ (broadcast rhs)") { y in (w * (a + y)).sum().item() }
      check(b, "- (broadcast rhs)") { y in (w * (a - y)).sum().item() }
      check(a, "* (lhs)") { x in (w * (x * b)).sum().item() }
      check(b, "* (broadcast rhs)") { y in (w * (a * y)).sum().item() }
      check(a, "/ (lhs)") { x in (w * (x / b)).sum().item() }
      check(b, "/ (broadcast rhs)") { y in (w * (a / y)).sum().item() }
      check(a, "negation") { x in (w * -x).sum().item() }
    }

    @Test func scalarOperands() {
      var g = SeededGenerator(seed: 2)
      let a = uniformTensor([2, 3], &g) + 3
      let w = uniformTensor([2, 3], &g)
      check(a, "tensor + scalar") { x in (w * (x + 2)).sum().item() }
      check(a, "scalar + tensor") { x in (w * (2 + x)).sum().item() }
      check(a, "tensor − scalar") { x in (w * (x - 2)).sum().item() }
      check(a, "scalar − tensor") { x in (w * (1 - x)).sum().item() }
      check(a, "tensor · scalar") { x in (w * (x * 3)).sum().item() }
      check(a, "scalar · tensor") { x in (w * (3 * x)).sum().item() }
      check(a, "tensor ÷ scalar") { x in (w * (x / 4)).sum().item() }
      check(a, "scalar ÷ tensor") { x in (w * (4 / x)).sum().item() }
      check(a, "scaled(by:)") { x in (w * x.scaled(by: 0.5)).sum().item() }
    }

    @Test func oneMinusCosineSum() {
      // The expression that did not differentiate before `−` had a derivative.
      var g = SeededGenerator(seed: 3)
      let a = uniformTensor([4, 5], &g)
      let b = uniformTensor([4, 5], &g)
      check(a, "(1 − cos).sum()") { x in (Tensor(scalar: 1) - x.cosineSimilarity(to: b)).sum().item() }
    }

    @Test func reductions() {
      var g = SeededGenerator(seed: 4)
      let x = uniformTensor([3, 4, 2], &g)
      let w2 = uniformTensor([3, 2], &g)
      let wk = uniformTensor([3, 1, 2], &g)
      check(x, "sum()") { v in (v * v).sum().item() }
      check(x, "mean()") { v in (v * v).mean().item() }
      check(x, "sum(axis:)") { v in (w2 * v.sum(axis: 1)).sum().item() }
      check(x, "mean(axis:keepDims:)") { v in (wk * v.mean(axis: -2, keepDims: true)).sum().item() }
      check(x, "scalarized()") { v in v.sum().scalarized() * 2 }
    }

    @Test func shapeOps() {
      var g = SeededGenerator(seed: 5)
      let x = uniformTensor([2, 3], &g)
      let w = uniformTensor([3, 2], &g)
      let r = uniformTensor([6], &g)
      check(x, "transposed()") { v in (w * v.transposed()).sum().item() }
      check(x, "reshaped(_:)") { v in (r * v.reshaped([-1])).sum().item() }
      let m = uniformTensor([4, 3], &g)
      let wr = uniformTensor([3], &g)
      let wrs = uniformTensor([2, 3], &g)
      check(m, "subscript row") { v in (wr * v[1]).sum().item() }
      check(m, "row(_:) negative") { v in (wr * v.row(-1)).sum().item() }
      check(m, "rows(_:)") { v in (wrs * v.rows(1..<3)).sum().item() }
    }

    @Test func matrixProduct() {
      var g = SeededGenerator(seed: 6)
      let a = uniformTensor([3, 4], &g)
      let b = uniformTensor([4, 2], &g)
      let w = uniformTensor([3, 2], &g)
      check(a, "matmul (a)") { x in (w * matmul(x, b)).sum().item() }
      check(b, "matmul (b)") { y in (w * matmul(a, y)).sum().item() }
      let v = uniformTensor([4], &g)
      let wv = uniformTensor([3], &g)
      check(v, "matmul (vector rhs)") { y in (wv * matmul(a, y)).sum().item() }
    }

    @Test func meanSquaredError() {
      var g = SeededGenerator(seed: 7)
      let t = uniformTensor([5, 3], &g)
      let p = uniformTensor([5, 3], &g)
      let loss = MeanSquaredError()
      check(p, "mse (pred)") { y in loss.forward(t, y).item() }
      check(t, "mse (true)") { y in loss.forward(y, p).item() }
    }
  }
#endif
