import CCosineKernels
import CosineCore

/// Memory this package allocated (64-byte aligned), released with the object.
package final class OwnedBytes: @unchecked Sendable {
  package let base: UnsafeMutableRawPointer
  package let count: Int

  package init(count: Int) {
    self.count = count
    base = .allocate(byteCount: Swift.max(count, 64), alignment: 64)
    ck_advise_huge_pages(base, count)
  }

  deinit { base.deallocate() }
}

/// The int8 codes of a segment (layout of `ck_quantize_int8`).
package struct Int8Codes: @unchecked Sendable {
  package let codes: UnsafePointer<UInt8>
  package let invScale: UnsafePointer<Float>
  package let err: UnsafePointer<Float>
}

/// A block of index rows: their int64 ids in strictly increasing order, their normalized rows
/// as split panels (row `r` of the panels is the row of `ids[r]`), and the codes of the
/// index's quantization. Immutable once built; owned memory or a mapped file behind it.
package final class IndexSegment: @unchecked Sendable {
  package let rows: Int
  package let ids: UnsafePointer<Int64>
  package let panels: SplitPanels
  package let int8: Int8Codes?
  package let bits: UnsafePointer<UInt64>?
  /// Where the segment lies in the index file it was mapped from, if it was.
  package let entry: IndexFileFormat.SegmentEntry?
  /// The mapped file, when the segment is mapped from one (rows to rescore are read with `pread`).
  package let file: IndexMapping?
  private let keep: [AnyObject]

  package init(
    rows: Int, ids: UnsafePointer<Int64>, panels: SplitPanels, int8: Int8Codes?, bits: UnsafePointer<UInt64>?,
    entry: IndexFileFormat.SegmentEntry?, file: IndexMapping? = nil, keep: [AnyObject]
  ) {
    self.file = file
    self.rows = rows
    self.ids = ids
    self.panels = panels
    self.int8 = int8
    self.bits = bits
    self.entry = entry
    self.keep = keep
  }

  package var dim: Int { panels.dim }
  package var width: Int { panels.width }
  package var panelCount: Int { panels.panelCount }
  /// Words of sign bits per row.
  package static func words(_ d: Int) -> Int { (d + 63) / 64 }
  /// Column groups of 4 int8 codes.
  package static func groups(_ d: Int) -> Int { (d + 3) / 4 }

  /// The id of row `r`.
  @inline(__always) package func id(_ r: Int) -> Int { Int(ids[r]) }

  /// The row holding `id`, by binary search.
  package func row(of id: Int) -> Int? {
    var lo = 0
    var hi = rows
    let x = Int64(id)
    while lo < hi {
      let mid = (lo + hi) / 2
      if ids[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo < rows && ids[lo] == x ? lo : nil
  }

  /// A segment over packed panels, computing the codes `quantization` asks for (on all cores).
  package static func make(panels: SplitPanels, ids: [Int64], quantization: CosineIndexQuantization) -> IndexSegment {
    precondition(ids.count == panels.rows)
    let idStore = OwnedBytes(count: ids.count * 8)
    let idp = idStore.base.bindMemory(to: Int64.self, capacity: Swift.max(1, ids.count))
    ids.withUnsafeBufferPointer { if let b = $0.baseAddress { idp.update(from: b, count: ids.count) } }
    var keep: [AnyObject] = [idStore, panels]
    let (n, d, bw, p) = (panels.rows, panels.dim, panels.width, panels.panelCount)
    var int8: Int8Codes?
    var bits: UnsafePointer<UInt64>?
    let perPanel = bw * Swift.max(1, d) * 4
    switch quantization {
    case .none: break
    case .int8:
      let g = groups(d)
      let c = OwnedBytes(count: p * g * bw * 4)
      let s = OwnedBytes(count: p * bw * 4)
      let e = OwnedBytes(count: p * bw * 4)
      let cp = SharedPointer(c.base.assumingMemoryBound(to: UInt8.self))
      let sp = SharedPointer(s.base.bindMemory(to: Float.self, capacity: Swift.max(1, p * bw)))
      let ep = SharedPointer(e.base.bindMemory(to: Float.self, capacity: Swift.max(1, p * bw)))
      Parallel.forEachChunk(p, costPerItem: perPanel) { _, range in
        let o = range.lowerBound * bw * d
        let status = ck_quantize_int8(
          panels.high + o, panels.low + o, Int64(bw), Int64(range.count), Int64(d), Int64(n - range.lowerBound * bw),
          cp.base + range.lowerBound * g * bw * 4, sp.base + range.lowerBound * bw, ep.base + range.lowerBound * bw)
        checkKernelStatus(status, "ck_quantize_int8")
      }
      keep += [c, s, e]
      int8 = Int8Codes(codes: UnsafePointer(cp.base), invScale: UnsafePointer(sp.base), err: UnsafePointer(ep.base))
    case .binary:
      let w = words(d)
      let b = OwnedBytes(count: p * bw * w * 8)
      let bp = SharedPointer(b.base.bindMemory(to: UInt64.self, capacity: Swift.max(1, p * bw * w)))
      Parallel.forEachChunk(p, costPerItem: perPanel) { _, range in
        let o = range.lowerBound * bw * d
        ck_binary_codes(
          panels.high + o, panels.low + o, Int64(bw), Int64(range.count), Int64(d), Int64(n - range.lowerBound * bw),
          bp.base + range.lowerBound * bw * w)
      }
      keep.append(b)
      bits = UnsafePointer(bp.base)
    }
    return IndexSegment(rows: n, ids: idp, panels: panels, int8: int8, bits: bits, entry: nil, keep: keep)
  }
}
