import CosineCore
import HeapModule

/// The best `k` (score, id) pairs offered, in the order of ``CosineSearchResults`` (higher
/// score, then lower id, NaN last): a bounded min-max heap (swift-collections' `Heap`) whose
/// minimum is the worst entry kept, replaced when a better one is offered.
///
/// - Complexity: O(log k) per entry that is kept, O(1) per entry that is not.
package struct BestK {
  /// One kept pair; `<` means "ranks after", so the heap's minimum is the worst entry.
  private struct Entry: Comparable {
    let score: Float
    let id: Int

    static func < (a: Entry, b: Entry) -> Bool { SearchOrder.ranksBefore(Double(b.score), b.id, Double(a.score), a.id) }
    static func == (a: Entry, b: Entry) -> Bool { a.id == b.id && a.score.bitPattern == b.score.bitPattern }
  }

  /// How many pairs are kept at most.
  package let k: Int
  private var heap = Heap<Entry>()

  /// An empty selection of the best `k`.
  package init(k: Int) { self.k = k }

  /// The pairs kept so far, in no particular order.
  package var items: [(score: Float, id: Int)] { heap.unordered.map { ($0.score, $0.id) } }

  /// Keeps (score, id) if it is among the best k so far.
  package mutating func offer(_ score: Float, _ id: Int) {
    let x = Entry(score: score, id: id)
    if heap.count < k {
      heap.insert(x)
    } else if k > 0, heap.min! < x {
      heap.replaceMin(with: x)
    }
  }

  /// The entries, best first.
  package func sorted() -> [(score: Float, id: Int)] {
    heap.unordered.sorted { $1 < $0 }.map { ($0.score, $0.id) }
  }
}
