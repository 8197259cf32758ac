import CosineCore

/// The best `k` (score, id) pairs offered, in the order of ``CosineSearchResults`` (higher
/// score, then lower id, NaN last): a bounded heap whose root is its worst entry.
package struct BestK {
  package let k: Int
  package private(set) var items: [(score: Float, id: Int)] = []

  package init(k: Int) {
    self.k = k
    items.reserveCapacity(Swift.min(k, 1 << 16))
  }

  @inline(__always)
  private static func before(_ a: (score: Float, id: Int), _ b: (score: Float, id: Int)) -> Bool {
    SearchOrder.ranksBefore(Double(a.score), a.id, Double(b.score), b.id)
  }

  /// Keeps (score, id) if it is among the best k so far.
  package mutating func offer(_ score: Float, _ id: Int) {
    let x = (score: score, id: id)
    if items.count < k {
      items.append(x)
      var i = items.count - 1
      while i > 0 {
        let p = (i - 1) / 2
        guard Self.before(items[p], items[i]) else { break }
        items.swapAt(p, i)
        i = p
      }
    } else if k > 0 && Self.before(x, items[0]) {
      items[0] = x
      var i = 0
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var worst = i
        if l < items.count && Self.before(items[worst], items[l]) { worst = l }
        if r < items.count && Self.before(items[worst], items[r]) { worst = r }
        if worst == i { break }
        items.swapAt(i, worst)
        i = worst
      }
    }
  }

  /// The entries, best first.
  package func sorted() -> [(score: Float, id: Int)] { items.sorted { Self.before($0, $1) } }
}
