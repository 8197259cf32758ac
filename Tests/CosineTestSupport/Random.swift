import CosineKit
import Foundation

// Seeded test data, all drawn from the library's `SeededGenerator` (xoshiro256**), so every
// random test replays exactly on every platform.

extension SeededGenerator {
  /// A standard normal sample (Box–Muller on two uniform draws).
  public mutating func normal() -> Double {
    let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
    let v = nextUniform()
    return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
  }

  /// A uniform sample in [-1, 1] on a grid of `1 / steps` (0.001 by default): values a text
  /// format prints exactly.
  public mutating func gridUniform(steps: Int = 1000) -> Double {
    Double(nextInt(below: 2 * steps + 1) - steps) / Double(steps)
  }
}

/// A tensor of standard normal values from `SeededGenerator(seed:)`, rounded to `T`.
public func randomTensor<T: TensorScalar>(_ shape: [Int], seed: UInt64, as _: T.Type = T.self) -> Tensor<T> {
  var g = SeededGenerator(seed: seed)
  let n = shape.reduce(1, *)
  return try! Tensor(shape: shape, scalars: (0..<n).map { _ in T(g.normal()) })
}

/// A tensor of uniform values in [-scale, scale), from `g`.
public func uniformTensor(_ shape: [Int], _ g: inout SeededGenerator, scale: Double = 1) -> Tensor<Double> {
  let n = shape.reduce(1, *)
  return try! Tensor(shape: shape, scalars: (0..<n).map { _ in (2 * g.nextUniform() - 1) * scale })
}

/// A `rows`×`cols` Float matrix of seeded values in [-1, 1] on a grid of 0.001.
public func gridMatrix(_ rows: Int, _ cols: Int, seed: UInt64) -> Tensor<Float> {
  var g = SeededGenerator(seed: seed)
  return try! Tensor(shape: [rows, cols], scalars: (0..<rows * cols).map { _ in Float(g.gridUniform()) })
}
