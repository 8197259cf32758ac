/// Bounded top-k heaps, one per query, filled by the search kernels.
///
/// Query `q` owns `scores[q·k ..< (q+1)·k]`, `ids[q·k ..< (q+1)·k]` and `sizes[q]`; the root of
/// each heap is its worst entry, so a candidate is compared with one number before any heap
/// work. The order is the one of ``CosineSearchResults``: higher score first, equal scores by
/// lower id, NaN after every number.
struct TopKHeaps<Element: KernelElement>: @unchecked Sendable {
  /// Raw views for the kernels.
  struct Pointers {
    let scores: UnsafeMutablePointer<Element>
    let ids: UnsafeMutablePointer<Int64>
    let sizes: UnsafeMutablePointer<Int64>
    let k: Int
  }

  let queries: Int
  let k: Int
  let scores: UnsafeMutablePointer<Element>
  let ids: UnsafeMutablePointer<Int64>
  let sizes: UnsafeMutablePointer<Int64>

  /// Empty heaps; `deallocate()` releases them.
  init(queries: Int, k: Int) {
    self.queries = queries
    self.k = k
    scores = .allocate(capacity: Swift.max(1, queries * k))
    ids = .allocate(capacity: Swift.max(1, queries * k))
    sizes = .allocate(capacity: Swift.max(1, queries))
    sizes.initialize(repeating: 0, count: Swift.max(1, queries))
  }

  func deallocate() {
    scores.deallocate()
    ids.deallocate()
    sizes.deallocate()
  }

  /// The heaps of queries `range` (their storage is contiguous).
  func pointers(forQueries range: Range<Int>) -> Pointers {
    Pointers(
      scores: scores + range.lowerBound * k, ids: ids + range.lowerBound * k, sizes: sizes + range.lowerBound, k: k)
  }

  /// Writes, for every query, the best `k` entries of the union of `parts` (each part's heaps
  /// hold disjoint rows) in rank order into `indices` and `scores` (row-major [queries, k]).
  static func collect(
    _ parts: [TopKHeaps], into indices: UnsafeMutablePointer<Int>, _ scores: UnsafeMutablePointer<Double>
  ) {
    guard let first = parts.first else { return }
    let k = first.k
    var entries: [(score: Double, id: Int)] = []
    entries.reserveCapacity(k * parts.count)
    for q in 0..<first.queries {
      entries.removeAll(keepingCapacity: true)
      for p in parts {
        let n = Int(p.sizes[q])
        for j in 0..<n { entries.append((Double(p.scores[q * k + j]), Int(p.ids[q * k + j]))) }
      }
      entries.sort { SearchOrder.ranksBefore($0.score, $0.id, $1.score, $1.id) }
      precondition(entries.count >= k, "a heap holds fewer rows than were offered")
      for j in 0..<k {
        indices[q * k + j] = entries[j].id
        scores[q * k + j] = entries[j].score
      }
    }
  }
}

/// The ranking order of search results.
enum SearchOrder {
  /// `true` if (s1, i1) comes before (s2, i2): a higher score, or an equal score and a lower
  /// index; NaN after every number (and NaNs among themselves by index).
  @inline(__always)
  static func ranksBefore(_ s1: Double, _ i1: Int, _ s2: Double, _ i2: Int) -> Bool {
    if s1.isNaN != s2.isNaN { return s2.isNaN }
    if !s1.isNaN && s1 != s2 { return s1 > s2 }
    return i1 < i2
  }
}
