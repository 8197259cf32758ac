/// How two broadcast inputs decompose into "rows": the 1-D slices along the reduced axis.
///
/// For inputs of shapes `a` and `b`, the broadcast shape `S = broadcast(a, b)` is split into
/// the reduced axis (length ``length``) and the remaining dimensions (``outputShape``), one row
/// per element of the output. Each input is addressed with its own strides, 0 along broadcast
/// dimensions, so no broadcast copy is ever made.
package struct RowLayout: Sendable {
  /// The broadcast shape of the two inputs.
  package let broadcastShape: [Int]
  /// The reduced axis, in `0 ..< broadcastShape.count`.
  package let axis: Int
  /// The broadcast shape without the reduced axis: the shape of per-row results.
  package let outputShape: [Int]
  /// Number of rows (product of ``outputShape``).
  package let rows: Int
  /// Length of each row (`broadcastShape[axis]`).
  package let length: Int
  /// Element stride along the axis in each input (0 if that input is broadcast along it).
  package let axisStride: (Int, Int)
  /// Strides of each input along the output dimensions.
  package let outputStrides: ([Int], [Int])
  /// Both inputs have the full broadcast shape.
  package let unbroadcast: Bool
  /// Row `r` of both inputs starts at `r * length` with unit stride.
  package var contiguous: Bool { unbroadcast && axis == broadcastShape.count - 1 }
  /// Elements of the broadcast shape after the axis (the stride along the axis when unbroadcast).
  package let inner: Int

  package init(_ a: [Int], _ b: [Int], axis: Int, operation: String) throws {
    let s = try Shape.broadcast(a, b, operation: operation)
    // A rank-0 pair has no axis to reduce; treat it as one element along a length-1 axis.
    let shape = s.isEmpty ? [1] : s
    let ax = try Shape.normalizedAxis(axis, rank: s.count == 0 ? 1 : s.count)
    _ = try Shape.count(shape)
    let sa = Shape.broadcastStrides(a.isEmpty ? [1] : a, to: shape)
    let sb = Shape.broadcastStrides(b.isEmpty ? [1] : b, to: shape)
    broadcastShape = shape
    self.axis = ax
    var out = shape
    out.remove(at: ax)
    outputShape = s.isEmpty ? [] : out
    rows = out.reduce(1, *)
    length = shape[ax]
    axisStride = (sa[ax], sb[ax])
    var oa = sa
    var ob = sb
    oa.remove(at: ax)
    ob.remove(at: ax)
    outputStrides = (oa, ob)
    unbroadcast = (a.isEmpty ? [1] : a) == shape && (b.isEmpty ? [1] : b) == shape
    inner = shape[(ax + 1)...].reduce(1, *)
  }

  /// Element offsets of row `r`'s first element in each input.
  @inline(__always)
  package func bases(ofRow r: Int) -> (Int, Int) {
    if contiguous { return (r &* length, r &* length) }
    var rem = r
    var o0 = 0
    var o1 = 0
    let dims = outputShape
    var i = dims.count - 1
    while i >= 0 {
      let d = dims[i]
      let idx = rem % d
      rem /= d
      o0 &+= idx &* outputStrides.0[i]
      o1 &+= idx &* outputStrides.1[i]
      i -= 1
    }
    return (o0, o1)
  }
}
