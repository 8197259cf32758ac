import CosineCore

/// The best-k state of every query, filled by the search kernels (see `ck_heaps_f32`).
///
/// Query `q` owns `capacity` slots from `q·capacity` and `sizes[q]`. For k below
/// ``reservoirFromK`` the slots are a bounded heap whose root is its worst entry, so a candidate
/// is compared with one number before any heap work; from there on they are a reservoir of 2k
/// slots, cut back to the best k by quickselect when full (O(1) per candidate instead of
/// O(log k)). The order is the one of ``CosineSearchResults``: higher score first, equal scores
/// by lower id, NaN after every number.
package struct TopKHeaps<Element: SearchKernelScalar>: @unchecked Sendable where Element.Working == Element {
  /// Raw views for the kernels.
  package struct Pointers {
    package let scores: UnsafeMutablePointer<Element>
    package let ids: UnsafeMutablePointer<Int64>
    package let sizes: UnsafeMutablePointer<Int64>
    package let k: Int
    package let capacity: Int
  }

  /// The smallest k kept in a reservoir rather than a heap.
  package static var reservoirFromK: Int { 64 }

  package let queries: Int
  package let k: Int
  package let capacity: Int
  package let scores: UnsafeMutablePointer<Element>
  package let ids: UnsafeMutablePointer<Int64>
  package let sizes: UnsafeMutablePointer<Int64>

  /// Empty heaps; `deallocate()` releases them.
  package init(queries: Int, k: Int) {
    self.queries = queries
    self.k = k
    capacity = k >= Self.reservoirFromK ? 2 * k : k
    scores = .allocate(capacity: Swift.max(1, queries * capacity))
    ids = .allocate(capacity: Swift.max(1, queries * capacity))
    sizes = .allocate(capacity: Swift.max(1, queries))
    sizes.initialize(repeating: 0, count: Swift.max(1, queries))
  }

  package func deallocate() {
    scores.deallocate()
    ids.deallocate()
    sizes.deallocate()
  }

  /// The heaps of queries `range` (their storage is contiguous).
  package func pointers(forQueries range: Range<Int>) -> Pointers {
    Pointers(
      scores: scores + range.lowerBound * capacity, ids: ids + range.lowerBound * capacity,
      sizes: sizes + range.lowerBound, k: k, capacity: capacity)
  }

  /// Writes, for every query, the best `k` entries of the union of `parts` (each part's heaps
  /// hold disjoint rows) in rank order into `indices` and `scores` (row-major [queries, k]).
  /// Each heap is sorted in place (heapsort), then the parts' lists are merged; on all cores.
  package static func collect(
    _ parts: [TopKHeaps], into indices: UnsafeMutablePointer<Int>, _ scores: UnsafeMutablePointer<Double>
  ) {
    guard let first = parts.first else { return }
    let k = first.k
    let outI = SharedPointer(indices)
    let outS = SharedPointer(scores)
    Parallel.forEachChunk(first.queries, costPerItem: 16 * k * parts.count) { _, range in
      for p in parts { Element.sortHeaps(p.pointers(forQueries: range), count: range.count) }
      if parts.count == 1 {
        for q in range {
          precondition(first.sizes[q] == k, "a heap holds fewer rows than were offered")
          for j in 0..<k {
            outI.base[q * k + j] = Int(first.ids[q * first.capacity + j])
            outS.base[q * k + j] = Double(first.scores[q * first.capacity + j])
          }
        }
        return
      }
      let heads = UnsafeMutablePointer<Int>.allocate(capacity: parts.count)
      defer { heads.deallocate() }
      for q in range {
        heads.initialize(repeating: 0, count: parts.count)
        for j in 0..<k {
          // The best head among the parts' sorted lists.
          var best = -1
          var bestScore = 0.0
          var bestId = 0
          for p in 0..<parts.count where heads[p] < Int(parts[p].sizes[q]) {
            let e = q * parts[p].capacity + heads[p]
            let s = Double(parts[p].scores[e])
            let id = Int(parts[p].ids[e])
            if best < 0 || SearchOrder.ranksBefore(s, id, bestScore, bestId) {
              best = p
              bestScore = s
              bestId = id
            }
          }
          precondition(best >= 0, "a heap holds fewer rows than were offered")
          heads[best] += 1
          outI.base[q * k + j] = bestId
          outS.base[q * k + j] = bestScore
        }
      }
    }
  }
}

/// The ranking order of search results.
package enum SearchOrder {
  /// `true` if (s1, i1) comes before (s2, i2): a higher score, or an equal score and a lower
  /// index; NaN after every number (and NaNs among themselves by index).
  @inline(__always)
  package static func ranksBefore(_ s1: Double, _ i1: Int, _ s2: Double, _ i2: Int) -> Bool {
    if s1.isNaN != s2.isNaN { return s2.isNaN }
    if !s1.isNaN && s1 != s2 { return s1 > s2 }
    return i1 < i2
  }
}
