import CCosineKernels
import CosineCore

/// A prepared corpus the search kernels score: plain panels (`Double`) or split panels
/// (`Float`).
package protocol SearchCorpus: Sendable {
  associatedtype Element: SearchKernelScalar where Element.Working == Element
  /// Valid rows, elements per row, rows per panel.
  var rows: Int { get }
  var dim: Int { get }
  var width: Int { get }
  var panelCount: Int { get }

  /// Offers `corpusRows` (starting at a panel boundary) to the heaps of `m` packed queries.
  func offer(
    _ a: UnsafePointer<Element>, rows m: Int, width aw: Int, corpusRows: Range<Int>,
    heaps: TopKHeaps<Element>.Pointers)
}

extension PackedPanels: SearchCorpus where Element: SearchKernelScalar {
  package func offer(
    _ a: UnsafePointer<Element>, rows m: Int, width aw: Int, corpusRows: Range<Int>,
    heaps: TopKHeaps<Element>.Pointers
  ) {
    Element.search(
      a, rows: m, width: aw, base, width: width, corpusRows: corpusRows, validRows: rows, dim: dim, idOffset: 0,
      heaps: heaps)
  }
}

extension SplitPanels: SearchCorpus {
  package typealias Element = Float

  package func offer(
    _ a: UnsafePointer<Float>, rows m: Int, width aw: Int, corpusRows: Range<Int>, heaps h: TopKHeaps<Float>.Pointers
  ) {
    let status = ck_search_split_f32(
      a, Int64(m), Int64(aw), high, low, Int64(width), Int64(corpusRows.lowerBound), Int64(corpusRows.count),
      Int64(rows), Int64(dim),
      ck_heaps_f32(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)))
    checkKernelStatus(status, "ck_search_split_f32")
  }
}
