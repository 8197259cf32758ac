/// Shape arithmetic: element counts, row-major strides, axes and NumPy broadcasting.
public enum Shape {
  /// `"[2, 3]"`, the form used in error messages.
  public static func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
  }

  /// The number of elements of `shape`, checked for negative dimensions and overflow.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` for a negative dimension or a count
  ///   that does not fit in `Int`.
  public static func count(_ shape: [Int]) throws -> Int {
    var n = 1
    for d in shape {
      guard d >= 0 else { throw CosineError.invalidShape("shape \(describe(shape)) has a negative dimension") }
      let (p, o) = n.multipliedReportingOverflow(by: d)
      guard !o else { throw CosineError.invalidShape("shape \(describe(shape)) has more elements than fit in memory") }
      n = p
    }
    return n
  }

  /// Row-major (C order) strides in elements.
  public static func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      s[i] = acc
      acc &*= shape[i]
    }
    return s
  }

  /// Resolves a possibly negative axis (counting from the end) against `rank`.
  ///
  /// - Throws: ``CosineError/axisOutOfRange(axis:rank:)`` unless `-rank <= axis < rank`.
  public static func normalizedAxis(_ axis: Int, rank: Int) throws -> Int {
    guard axis >= -rank && axis < rank else { throw CosineError.axisOutOfRange(axis: axis, rank: rank) }
    return axis < 0 ? axis + rank : axis
  }

  /// The NumPy broadcast of two shapes: aligned at the end, each pair of dimensions equal or one of them 1.
  ///
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` naming both shapes.
  public static func broadcast(_ a: [Int], _ b: [Int], operation: String = "broadcast") throws -> [Int] {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      if da == db || db == 1 {
        out[i] = da
      } else if da == 1 {
        out[i] = db
      } else {
        throw CosineError.shapeMismatch(operation: operation, a, b)
      }
    }
    return out
  }

  /// Strides (in elements) of a tensor of shape `shape` viewed in the broadcast shape `target`:
  /// 0 along every broadcast dimension.
  package static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = strides(shape)
    let offset = target.count - shape.count
    return (0..<target.count).map { i in
      i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
    }
  }
}
