/// The best `k` (score, id) pairs offered, in the order of ``CosineSearchResults`` (higher
/// score, then lower id, NaN last): a bounded heap whose root is its worst entry.
struct BestK {
  let k: Int
  private(set) var items: [(score: Float, id: Int)] = []

  init(k: Int) {
    self.k = k
    items.reserveCapacity(Swift.min(k, 1 << 16))
  }

  @inline(__always)
  private static func before(_ a: (score: Float, id: Int), _ b: (score: Float, id: Int)) -> Bool {
    SearchOrder.ranksBefore(Double(a.score), a.id, Double(b.score), b.id)
  }

  /// Keeps (score, id) if it is among the best k so far.
  mutating func offer(_ score: Float, _ id: Int) {
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
  func sorted() -> [(score: Float, id: Int)] { items.sorted { Self.before($0, $1) } }
}

/// The `k`-th largest of the values offered (−∞ until `k` were offered): a min-heap of `k`.
struct KthLargest {
  let k: Int
  private var heap: [Float] = []

  init(k: Int) {
    self.k = k
    heap.reserveCapacity(k)
  }

  var value: Float { heap.count < k || k == 0 ? -.infinity : heap[0] }

  @inline(__always)
  mutating func offer(_ x: Float) {
    if heap.count < k {
      heap.append(x)
      var i = heap.count - 1
      while i > 0 {
        let p = (i - 1) / 2
        guard heap[i] < heap[p] else { break }
        heap.swapAt(p, i)
        i = p
      }
    } else if k > 0 && x > heap[0] {
      heap[0] = x
      var i = 0
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var m = i
        if l < heap.count && heap[l] < heap[m] { m = l }
        if r < heap.count && heap[r] < heap[m] { m = r }
        if m == i { break }
        heap.swapAt(i, m)
        i = m
      }
    }
  }
}
