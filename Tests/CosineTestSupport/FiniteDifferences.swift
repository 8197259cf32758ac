import CosineKit

// Central finite differences in Double, for checking gradients.

/// Central differences of `f` at `x`: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, with h = `step`·max(1, |xᵢ|).
public func numericalGradient(_ x: [Double], step: Double = 1e-6, _ f: ([Double]) throws -> Double) rethrows
  -> [Double]
{
  var grad = [Double](repeating: 0, count: x.count)
  var p = x
  for i in x.indices {
    let h = step * max(1, abs(x[i]))
    p[i] = x[i] + h
    let up = try f(p)
    p[i] = x[i] - h
    let down = try f(p)
    p[i] = x[i]
    grad[i] = (up - down) / (2 * h)
  }
  return grad
}

/// ``numericalGradient(_:step:_:)`` of `f` with respect to every element of the tensor `x`.
public func finiteDifferenceGradient(_ x: Tensor<Double>, h: Double = 1e-6, _ f: (Tensor<Double>) throws -> Double)
  rethrows -> Tensor<Double>
{
  let g = try numericalGradient(x.scalars, step: h) { try f(try! Tensor(shape: x.shape, scalars: $0)) }
  return try! Tensor(shape: x.shape, scalars: g)
}

/// Σ w·t, for turning a tensor-valued function into a scalar one in gradient checks.
public func weightedSum(_ t: Tensor<Double>, _ w: Tensor<Double>) -> Double {
  zip(t.scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 }
}
