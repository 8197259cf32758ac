/// Printing tensors as NumPy does: nested brackets, one row per line, and large tensors
/// abbreviated with `...`.
///
/// ```swift
/// print(Tensor<Float>([[1, 2], [3, 4]]))
/// // [[1.0, 2.0],
/// //  [3.0, 4.0]]
/// print(Tensor<Float>.zeros([1000, 384]))   // 3 rows and columns at each end, "..." between
/// ```
///
/// A tensor of more than ``summarizationThreshold`` elements (1000, NumPy's `threshold`) shows
/// only the first and last ``edgeItems`` (3) entries along every axis, so the text stays a few
/// lines long whatever the size. Values print as Swift prints the scalar (the shortest decimal
/// that reads back exactly).
///
/// **Edge cases:** a rank-0 tensor prints as its value; an empty tensor as nested empty brackets,
/// one pair per dimension (`[[]]` for shape `[0, 3]`; the shape is in ``debugDescription``); NaN
/// and infinities as `nan`, `inf` and `-inf`.
extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
  /// Tensors with more elements than this are abbreviated.
  public static var summarizationThreshold: Int { 1000 }
  /// Entries shown at each end of an abbreviated axis.
  public static var edgeItems: Int { 3 }

  /// The elements in nested brackets, abbreviated beyond ``summarizationThreshold`` elements.
  public var description: String {
    if rank == 0 { return Self.format(scalars[0]) }
    if count == 0 { return String(repeating: "[", count: rank) + String(repeating: "]", count: rank) }
    var out = ""
    append(to: &out, dim: 0, offset: 0, summarize: count > Self.summarizationThreshold)
    return out
  }

  /// `Tensor<Float>(shape: [2, 2], [[1.0, 2.0], [3.0, 4.0]])`: the type, the shape and the elements.
  public var debugDescription: String {
    "Tensor<\(Scalar.self)>(shape: \(Shape.describe(shape)), \(description))"
  }

  private static func format(_ x: Scalar) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    return "\(x)"
  }

  private func append(to out: inout String, dim: Int, offset: Int, summarize: Bool) {
    let n = shape[dim]
    let stride = shape[(dim + 1)...].reduce(1, *)
    let cut = summarize && n > 2 * Self.edgeItems
    let shown: [Int?] =
      cut ? Array(0..<Self.edgeItems) + [nil] + Array((n - Self.edgeItems)..<n) : Array(0..<n)
    out += "["
    for (j, i) in shown.enumerated() {
      if j > 0 {
        // Rows of a matrix on their own lines; blocks of higher ranks separated by blank lines.
        if dim == rank - 1 {
          out += ", "
        } else {
          out += "," + String(repeating: "\n", count: rank - dim - 1) + String(repeating: " ", count: dim + 1)
        }
      }
      guard let i else {
        out += "..."
        continue
      }
      if dim == rank - 1 {
        out += Self.format(scalars[offset + i])
      } else {
        append(to: &out, dim: dim + 1, offset: offset + i * stride, summarize: summarize)
      }
    }
    out += "]"
  }
}
