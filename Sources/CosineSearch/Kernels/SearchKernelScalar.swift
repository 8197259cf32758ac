import CCosineKernels
import CosineCore

/// A ``KernelScalar`` with the kernels of exact top-k search: offering packed corpus rows to
/// per-query bounded heaps, and sorting the heaps (`CCosineKernels` `gemm/topk*`).
///
/// Generic code reaches it through ``TensorScalar/searchKernels``; a scalar type outside the
/// library has none, and its rows are searched in `Double`.
package protocol SearchKernelScalar: KernelScalar where Working: SearchKernelScalar {
  /// Offers corpus rows `rows` to the heaps of `m` packed queries (see `ck_search_f32`).
  static func search(
    _ a: UnsafePointer<Working>, rows m: Int, width aw: Int, _ b: UnsafePointer<Working>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps: TopKHeaps<Working>.Pointers)

  /// Sorts the first `m` heaps of `heaps` in place into rank order, best first.
  static func sortHeaps(_ heaps: TopKHeaps<Working>.Pointers, count m: Int)
}

extension TensorScalar {
  /// This type's search kernels; nil for a conformance to ``TensorScalar`` outside the library.
  @inline(__always)
  package static var searchKernels: (any SearchKernelScalar.Type)? { Self.self as? any SearchKernelScalar.Type }

  /// The search kernels the packed paths run on: this type's, or `Double`'s for a type outside the
  /// library (whose rows are converted to `Double` first).
  package static var packedSearchKernels: any SearchKernelScalar.Type { searchKernels ?? Double.self }
}

/// The kernels of a type that works in another type (`Float16` works in `Float`): forwarded.
extension SearchKernelScalar {
  package static func search(
    _ a: UnsafePointer<Working>, rows m: Int, width aw: Int, _ b: UnsafePointer<Working>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps: TopKHeaps<Working>.Pointers
  ) {
    Working.search(
      a, rows: m, width: aw, b, width: bw, corpusRows: rows, validRows: validRows, dim: d, idOffset: idOffset,
      heaps: heaps)
  }

  package static func sortHeaps(_ heaps: TopKHeaps<Working>.Pointers, count m: Int) {
    Working.sortHeaps(heaps, count: m)
  }
}

/// `Float`'s search kernels: `ck_search_f32`, `ck_sort_heaps_f32`.
extension Float: SearchKernelScalar {
  package static func search(
    _ a: UnsafePointer<Float>, rows m: Int, width aw: Int, _ b: UnsafePointer<Float>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps h: TopKHeaps<Float>.Pointers
  ) {
    let status = ck_search_f32(
      a, Int64(m), Int64(aw), b, Int64(bw), Int64(rows.lowerBound), Int64(rows.count),
      Int64(validRows), Int64(d), Int64(idOffset),
      ck_heaps_f32(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)))
    checkKernelStatus(status, "ck_search_f32")
  }

  package static func sortHeaps(_ h: TopKHeaps<Float>.Pointers, count m: Int) {
    ck_sort_heaps_f32(
      ck_heaps_f32(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)), Int64(m))
  }
}

/// `Double`'s search kernels: `ck_search_f64`, `ck_sort_heaps_f64`.
extension Double: SearchKernelScalar {
  package static func search(
    _ a: UnsafePointer<Double>, rows m: Int, width aw: Int, _ b: UnsafePointer<Double>, width bw: Int,
    corpusRows rows: Range<Int>, validRows: Int, dim d: Int, idOffset: Int,
    heaps h: TopKHeaps<Double>.Pointers
  ) {
    let status = ck_search_f64(
      a, Int64(m), Int64(aw), b, Int64(bw), Int64(rows.lowerBound), Int64(rows.count),
      Int64(validRows), Int64(d), Int64(idOffset),
      ck_heaps_f64(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)))
    checkKernelStatus(status, "ck_search_f64")
  }

  package static func sortHeaps(_ h: TopKHeaps<Double>.Pointers, count m: Int) {
    ck_sort_heaps_f64(
      ck_heaps_f64(scores: h.scores, ids: h.ids, sizes: h.sizes, k: Int64(h.k), capacity: Int64(h.capacity)), Int64(m))
  }
}

/// `Float16` works in `Float`: its search kernels are `Float`'s.
extension Float16: SearchKernelScalar {}
