import CosineCore
@testable import CosineEncoders
import Foundation
import Testing

/// The `Float` forward pass's vectorized GELU and softmax against their `Double` definitions.
@Suite struct ElementwiseKernelTests {
  @Test func geluMatchesTheErfDefinition() {
    // A dense grid over the range where GELU is neither 0 nor x, lengths that leave every tail.
    var xs: [Float] = stride(from: -12.0, through: 12.0, by: 0.0007).map { Float($0) }
    xs += [0, -0, 1, -1, 0.999_999_9, -1.000_000_1, 10, -10, 10.5, -10.5, 1e-30, -1e-30, 3e38, -3e38]
    for count in [xs.count, 15, 1] {
      var got = Array(xs.prefix(count))
      got.withUnsafeMutableBufferPointer { Float.geluErf($0.baseAddress!, count: count) }
      for (x, g) in zip(xs.prefix(count), got) {
        let d = Double(x)
        let reference = d * (1 + erf(d / 2.0.squareRoot())) / 2
        let tolerance = 2e-6 * max(abs(reference), 1e-3)
        #expect(abs(Double(g) - reference) <= tolerance, "GELU(\(x)) = \(g), reference \(reference)")
      }
    }
    var special: [Float] = [.infinity, -.infinity, .nan, 5]
    special.withUnsafeMutableBufferPointer { Float.geluErf($0.baseAddress!, count: 4) }
    #expect(special[0] == .infinity)
    #expect(special[1].isNaN && special[2].isNaN)  // −∞ · 0, as in the formula
  }

  /// The fused GELU and derivative of the backward pass, on the same grid, against float64.
  @Test func geluDerivativeMatchesTheDefinition() {
    var xs: [Float] = stride(from: -12.0, through: 12.0, by: 0.0007).map { Float($0) }
    xs += [0, -0, 1, -1, 10, -10, 10.5, -10.5, 1e-30, -1e-30]
    for count in [xs.count, 15, 1] {
      var g = [Float](repeating: 0, count: count)
      var d = [Float](repeating: 0, count: count)
      xs.withUnsafeBufferPointer { x in
        g.withUnsafeMutableBufferPointer { gp in
          d.withUnsafeMutableBufferPointer { dp in
            Float.geluErfDerivative(x.baseAddress!, value: gp.baseAddress!, derivative: dp.baseAddress!, count: count)
          }
        }
      }
      for i in 0..<count {
        let x = Double(xs[i])
        let cdf = (1 + erf(x / 2.0.squareRoot())) / 2
        let value = x * cdf
        let slope = cdf + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot()
        #expect(abs(Double(g[i]) - value) <= 2e-6 * max(abs(value), 1e-3), "GELU(\(x)) = \(g[i]), reference \(value)")
        // The derivative is the sum of two terms that cancel for negative x: its error is
        // relative to the larger term.
        let terms = max(abs(slope), cdf, abs(x) * exp(-x * x / 2) / (2 * Double.pi).squareRoot(), 1e-3)
        #expect(abs(Double(d[i]) - slope) <= 3e-6 * terms, "GELU′(\(x)) = \(d[i]), reference \(slope)")
      }
    }
  }

  @Test func softmaxRowsMatchTheDefinition() {
    var g = SeededGenerator(seed: 7)
    for cols in [1, 5, 16, 17, 100] {
      let rows = 3
      let lds = cols + 2
      var tile = (0..<(rows * lds)).map { _ in Float(g.nextUniform() * 40 - 20) }
      let original = tile
      tile.withUnsafeMutableBufferPointer {
        Float.softmaxRows($0.baseAddress!, lds: lds, rows: rows, cols: cols, scale: 0.35)
      }
      for r in 0..<rows {
        let row = (0..<cols).map { Double(original[r * lds + $0]) * Double(Float(0.35)) }
        let top = row.max()!
        let sum = row.reduce(0) { $0 + exp($1 - top) }
        for c in 0..<cols {
          let reference = exp(row[c] - top) / sum
          #expect(abs(Double(tile[r * lds + c]) - reference) <= 1e-6 * reference + 1e-12, "row \(r) col \(c)")
        }
        for c in cols..<lds { #expect(tile[r * lds + c] == original[r * lds + c], "padding untouched") }
      }
    }
  }

  @Test func addLayerNormMatchesTheDefinition() {
    var g = SeededGenerator(seed: 11)
    for width in [1, 16, 37, 384] {
      let rows = 3
      let x = (0..<(rows * width)).map { _ in Float(g.nextUniform() * 8 - 3) }
      let add = (0..<(rows * width)).map { _ in Float(g.nextUniform() * 2 - 1) }
      let gamma = (0..<width).map { _ in Float(g.nextUniform() + 0.5) }
      let beta = (0..<width).map { _ in Float(g.nextUniform() - 0.5) }
      for withAdd in [false, true] {
        var y = x
        y.withUnsafeMutableBufferPointer { yb in
          add.withUnsafeBufferPointer { ab in
            Float.addLayerNorm(
              yb.baseAddress!, add: withAdd ? ab.baseAddress! : nil, rows: rows, width: width, gamma: gamma, beta: beta,
              eps: 1e-12)
          }
        }
        for r in 0..<rows {
          let row = (0..<width).map { Double(x[r * width + $0]) + (withAdd ? Double(add[r * width + $0]) : 0) }
          let mean = row.reduce(0, +) / Double(width)
          let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
          for j in 0..<width {
            let reference = (row[j] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[j]) + Double(beta[j])
            // Float sums of `width` terms: a few ulps of the row's scale.
            #expect(
              abs(Double(y[r * width + j]) - reference) <= 2e-5 * max(1, abs(reference)), "w \(width) r \(r) j \(j)")
          }
        }
      }
    }
  }
}
