import CCosineKernels
import CosineCore

/// A `Float` corpus in split panels: the high and the low 16 bits of every packed, normalized
/// float, in two arrays of the panel layout (see `ck_split_panels_f32`).
///
/// The exact kernels rebuild each float bit for bit, so every score equals the one plain panels
/// give, with no extra memory. The high halves alone are the values truncated to bfloat16:
/// a search bound by memory bandwidth (a few queries) reads only them in a first pass, half the
/// bytes, and rescoring exactly only the panels that pass a proven error margin
/// (``CosineIndex/search(_:k:)-3rgor``).
package final class SplitPanels: @unchecked Sendable {
  package let rows: Int
  package let dim: Int
  package let width: Int
  /// High and low halves, `panelCount · width · dim` each.
  package let high: UnsafeMutablePointer<UInt16>
  package let low: UnsafeMutablePointer<UInt16>
  package let capacity: Int
  /// What keeps borrowed halves alive (a mapped index file); nil when this object owns them.
  package let owner: AnyObject?

  package var panelCount: Int { (rows + width - 1) / width }
  package var byteCount: Int { 2 * capacity * MemoryLayout<UInt16>.stride }

  /// Uninitialized split panels for `rows` rows of `dim` elements.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` if the size overflows.
  package init(rows: Int, dim: Int, width: Int) throws {
    precondition(width > 0 && rows >= 0 && dim >= 0)
    let panels = (rows + width - 1) / width
    let (c1, o1) = panels.multipliedReportingOverflow(by: width)
    let (c2, o2) = c1.multipliedReportingOverflow(by: dim)
    let (bytes, o3) = c2.multipliedReportingOverflow(by: 4)
    guard !o1, !o2, !o3 else {
      throw CosineError.invalidShape("\(rows) rows of \(dim) elements do not fit in memory")
    }
    try MemoryBudget.check(bytes: bytes, "\(rows) rows of \(dim) elements, packed")
    self.rows = rows
    self.dim = dim
    self.width = width
    owner = nil
    capacity = Swift.max(1, c2)
    let h = UnsafeMutableRawPointer.allocate(byteCount: 2 * capacity, alignment: 64)
    let l = UnsafeMutableRawPointer.allocate(byteCount: 2 * capacity, alignment: 64)
    ck_advise_huge_pages(h, 2 * capacity)
    ck_advise_huge_pages(l, 2 * capacity)
    high = h.bindMemory(to: UInt16.self, capacity: capacity)
    low = l.bindMemory(to: UInt16.self, capacity: capacity)
  }

  /// Split panels over halves that `owner` keeps alive (`panelCount · width · dim` each): a
  /// mapped index file (only read), or another `SplitPanels` whose memory a block of a large
  /// corpus reuses (``CosineIndex/init(contentsOf:rows:eps:reusing:inspecting:)``).
  package init(
    rows: Int, dim: Int, width: Int, high: UnsafeMutablePointer<UInt16>, low: UnsafeMutablePointer<UInt16>,
    owner: AnyObject
  ) {
    self.rows = rows
    self.dim = dim
    self.width = width
    self.high = high
    self.low = low
    self.owner = owner
    capacity = Swift.max(1, (rows + width - 1) / width * width * dim)
  }

  deinit {
    guard owner == nil else { return }
    UnsafeMutableRawPointer(high).deallocate()
    UnsafeMutableRawPointer(low).deallocate()
  }

  /// Element offset of panel `p` in either array.
  @inline(__always)
  package func offset(ofPanel p: Int) -> Int { p * width * dim }

  /// Packs `rows` rows of `x` into panels from `firstPanel` on, on all cores (on the calling
  /// thread alone when not `parallel`): normalized into plain float panels a block at a time,
  /// then split.
  package func pack<T: TensorScalar>(
    _ x: UnsafePointer<T>?, rows: Int, eps: Double, firstPanel: Int, parallel: Bool = true
  ) {
    precondition(T.self != Double.self, "split panels hold Float and Float16 corpora")
    guard rows > 0, let x, dim > 0 else { return }
    let count = (rows + width - 1) / width
    let src = SharedConstPointer(x)
    let blockPanels = Swift.max(1, (256 << 10) / (width * dim * 4))
    Parallel.forEachChunk(count, costPerItem: width * dim * 4, maxChunks: parallel ? .max : 1) { _, range in
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: blockPanels * width * dim)
      defer { scratch.deallocate() }
      var p = range.lowerBound
      while p < range.upperBound {
        let p1 = Swift.min(range.upperBound, p + blockPanels)
        let r0 = p * width
        let r1 = Swift.min(rows, p1 * width)
        Packing.pack(src.base + r0 * dim, rows: r1 - r0, dim: dim, eps: eps, width: width, into: scratch)
        let o = offset(ofPanel: firstPanel + p)
        ck_split_panels_f32(scratch, Int64(p1 - p), Int64(dim), Int64(width), high + o, low + o)
        p = p1
      }
    }
  }
}
