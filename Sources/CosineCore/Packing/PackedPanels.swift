import CCosineKernels

/// Rows stored transposed in panels, the operand layout of the packed kernels.
///
/// Panel `p` holds rows `p·width ..< (p+1)·width`: element `(r, k)` sits at `k·width + r`, so the
/// kernel reads `width` rows' k-th elements with one contiguous load. Rows past `rows` are zero.
/// Every row is normalized while it is packed (see ``Packing``). The memory is 64-byte aligned
/// and owned by the object.
package final class PackedPanels<Element: KernelScalar>: @unchecked Sendable where Element.Working == Element {
  /// Valid rows (the last panel may be padded).
  package let rows: Int
  /// Elements per row.
  package let dim: Int
  /// Rows per panel.
  package let width: Int
  /// The first panel.
  package let base: UnsafeMutablePointer<Element>
  /// Allocated elements.
  package let capacity: Int

  package var panelCount: Int { (rows + width - 1) / width }
  /// Bytes of storage.
  package var byteCount: Int { capacity * MemoryLayout<Element>.stride }

  /// Uninitialized panels for `rows` rows of `dim` elements.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` if the size overflows.
  package init(rows: Int, dim: Int, width: Int) throws {
    precondition(width > 0 && rows >= 0 && dim >= 0)
    let panels = (rows + width - 1) / width
    let (c1, o1) = panels.multipliedReportingOverflow(by: width)
    let (c2, o2) = c1.multipliedReportingOverflow(by: dim)
    let (bytes, o3) = c2.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
    guard !o1, !o2, !o3 else {
      throw CosineError.invalidShape("\(rows) rows of \(dim) elements do not fit in memory")
    }
    try MemoryBudget.check(bytes: bytes, "\(rows) rows of \(dim) elements, packed")
    self.rows = rows
    self.dim = dim
    self.width = width
    capacity = max(1, c2)
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, MemoryLayout<Element>.stride), alignment: 64)
    base = raw.bindMemory(to: Element.self, capacity: capacity)
    ck_advise_huge_pages(raw, bytes)
  }

  deinit { UnsafeMutableRawPointer(base).deallocate() }

  /// The start of panel `p`.
  @inline(__always)
  package func panel(_ p: Int) -> UnsafeMutablePointer<Element> { base + p * width * dim }
}
