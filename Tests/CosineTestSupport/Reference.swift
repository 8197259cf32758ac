import CosineKit

/// Reference semantics written independently of the library: explicit broadcasting and
/// straightforward Double loops (valid where Double sums neither overflow nor underflow).
public enum Reference {
  /// Element of `t` at broadcast multi-index `idx` of the target shape.
  public static func element(_ t: Tensor<Double>, _ idx: [Int]) -> Double {
    let off = idx.count - t.rank
    var o = 0
    for d in 0..<t.rank { o = o * t.shape[d] + (t.shape[d] == 1 ? 0 : idx[d + off]) }
    return t.scalars[o]
  }

  public static func multiIndices(_ shape: [Int]) -> [[Int]] {
    var out: [[Int]] = [[]]
    for d in shape { out = out.flatMap { p in (0..<d).map { p + [$0] } } }
    return out
  }

  /// Rows along `axis` of the broadcast of `a` and `b`: (output shape, [(x1 row, x2 row)]).
  public static func rows(_ a: Tensor<Double>, _ b: Tensor<Double>, axis: Int) -> ([Int], [([Double], [Double])]) {
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

  public static func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
  public static func norm(_ x: [Double]) -> Double { dot(x, x).squareRoot() }

  /// PyTorch `cosine_similarity` (each norm clamped), then clamped to [−1, 1].
  public static func cosine(_ x: [Double], _ y: [Double], eps: Double = 1e-8) -> Double {
    min(1, max(-1, dot(x, y) / (max(norm(x), eps) * max(norm(y), eps))))
  }

  /// PyTorch `CosineEmbeddingLoss`'s cosine.
  public static func embeddingCosine(_ x: [Double], _ y: [Double]) -> Double {
    dot(x, y) / ((dot(x, x) + 1e-12) * (dot(y, y) + 1e-12)).squareRoot()
  }

  public static func cosineSimilarity(_ a: Tensor<Double>, _ b: Tensor<Double>, axis: Int = -1, eps: Double = 1e-8)
    -> Tensor<
      Double
    >
  {
    let (shape, rows) = rows(a, b, axis: axis)
    return try! Tensor(shape: shape, scalars: rows.map { cosine($0.0, $0.1, eps: eps) })
  }
}
