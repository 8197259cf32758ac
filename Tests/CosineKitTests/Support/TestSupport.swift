import Foundation

@testable import CosineKit

/// A small seeded generator (SplitMix64) so every random test replays exactly.
struct SeededRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func normal() -> Double {
    let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
    let v = Double.random(in: 0..<1, using: &self)
    return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
  }
}

func randomTensor<T: TensorScalar>(_ shape: [Int], seed: UInt64, as _: T.Type = T.self) -> Tensor<T> {
  var g = SeededRandom(seed: seed)
  let n = shape.reduce(1, *)
  return try! Tensor(shape: shape, scalars: (0..<n).map { _ in T(g.normal()) })
}

/// |a − b| ≤ atol + rtol·|b|, element-wise; NaN only matches NaN.
func isClose(_ a: Double, _ b: Double, rtol: Double, atol: Double) -> Bool {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
  return abs(a - b) <= atol + rtol * abs(b)
}

func allClose<T: TensorScalar, U: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<U>, rtol: Double, atol: Double) -> Bool {
  a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { isClose(Double($0), Double($1), rtol: rtol, atol: atol) }
}

/// Reference semantics written independently of the library: explicit broadcasting and
/// straightforward Double loops (valid where Double sums neither overflow nor underflow).
enum Reference {
  /// Element of `t` at broadcast multi-index `idx` of the target shape.
  static func element(_ t: Tensor<Double>, _ idx: [Int]) -> Double {
    let off = idx.count - t.rank
    var o = 0
    for d in 0..<t.rank { o = o * t.shape[d] + (t.shape[d] == 1 ? 0 : idx[d + off]) }
    return t.scalars[o]
  }

  static func multiIndices(_ shape: [Int]) -> [[Int]] {
    var out: [[Int]] = [[]]
    for d in shape { out = out.flatMap { p in (0..<d).map { p + [$0] } } }
    return out
  }

  /// Rows along `axis` of the broadcast of `a` and `b`: (output shape, [(x1 row, x2 row)]).
  static func rows(_ a: Tensor<Double>, _ b: Tensor<Double>, axis: Int) -> ([Int], [([Double], [Double])]) {
    let s = try! Shape.broadcast(a.shape, b.shape)
    let ax = axis < 0 ? axis + s.count : axis
    var outShape = s
    outShape.remove(at: ax)
    let rows = multiIndices(outShape).map { o -> ([Double], [Double]) in
      let r = (0..<s[ax]).map { k -> [Int] in
        var i = o
        i.insert(k, at: ax)
        return i
      }
      return (r.map { element(a, $0) }, r.map { element(b, $0) })
    }
    return (outShape, rows)
  }

  static func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
  static func norm(_ x: [Double]) -> Double { dot(x, x).squareRoot() }

  /// PyTorch `cosine_similarity` (each norm clamped), then clamped to [−1, 1].
  static func cosine(_ x: [Double], _ y: [Double], eps: Double = 1e-8) -> Double {
    min(1, max(-1, dot(x, y) / (max(norm(x), eps) * max(norm(y), eps))))
  }

  /// PyTorch `CosineEmbeddingLoss`'s cosine.
  static func embeddingCosine(_ x: [Double], _ y: [Double]) -> Double {
    dot(x, y) / ((dot(x, x) + 1e-12) * (dot(y, y) + 1e-12)).squareRoot()
  }

  static func cosineSimilarity(_ a: Tensor<Double>, _ b: Tensor<Double>, axis: Int = -1, eps: Double = 1e-8) -> Tensor<
    Double
  > {
    let (shape, rows) = rows(a, b, axis: axis)
    return try! Tensor(shape: shape, scalars: rows.map { cosine($0.0, $0.1, eps: eps) })
  }
}

/// Central finite differences in Double of `f` with respect to every element of `x`.
func finiteDifferenceGradient(_ x: Tensor<Double>, h: Double = 1e-6, _ f: (Tensor<Double>) throws -> Double) rethrows
  -> Tensor<Double>
{
  var g = x
  for i in 0..<x.count {
    var xp = x
    var xm = x
    let step = h * max(1, abs(x.scalars[i]))
    xp.scalars[i] += step
    xm.scalars[i] -= step
    g.scalars[i] = (try f(xp) - f(xm)) / (2 * step)
  }
  return g
}

/// Σ w·t, for turning a tensor-valued function into a scalar one in gradient checks.
func weightedSum(_ t: Tensor<Double>, _ w: Tensor<Double>) -> Double {
  zip(t.scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 }
}
