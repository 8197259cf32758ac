import CosineCore
import CosineLosses

/// Batches for losses with in-batch negatives: every other pair of a batch is a negative, so a
/// batch must not hold the same pair (or the same left or right row) twice, as
/// sentence-transformers' `NoDuplicatesBatchSampler` ensures.
package enum NoDuplicateBatches {
  /// Splits `order` into batches of at most `size` indices such that no two indices of a batch
  /// share a key in `leftKeys` or in `rightKeys` (rows with equal keys are identical). Indices
  /// that would repeat a key are deferred to later batches, keeping their order; every index
  /// appears exactly once.
  ///
  /// - Complexity: O(n·(n / size)) in the worst case (many duplicates), O(n) without duplicates.
  package static func batches(order: [Int], leftKeys: [Int], rightKeys: [Int], size: Int) -> [[Int]] {
    // Left and right keys in one key space: even for left, odd for right.
    let keys = leftKeys.indices.map { [2 * leftKeys[$0], 2 * rightKeys[$0] + 1] }
    return batches(order: order, keys: keys, size: size)
  }

  /// Splits `order` into batches of at most `size` indices such that no two indices of a batch
  /// share any key of `keys[i]` (sentence-transformers' `NoDuplicatesBatchSampler` with each
  /// example's texts as its keys). Indices that would repeat a key are deferred to later
  /// batches, keeping their order; every index appears exactly once.
  ///
  /// - Complexity: O(n·(n / size)) in the worst case (many duplicates), O(n) without duplicates.
  package static func batches(order: [Int], keys: [[Int]], size: Int) -> [[Int]] {
    var remaining = order
    var out: [[Int]] = []
    while !remaining.isEmpty {
      var batch: [Int] = []
      var seen = Set<Int>()
      var deferred: [Int] = []
      var k = 0
      while k < remaining.count, batch.count < size {
        let i = remaining[k]
        if keys[i].contains(where: seen.contains) {
          deferred.append(i)
        } else {
          batch.append(i)
          seen.formUnion(keys[i])
        }
        k += 1
      }
      out.append(batch)
      remaining = deferred + remaining[k...]
    }
    return out
  }

  /// One key per row of `x` ([n, d]): equal keys for equal rows (+0 and −0 alike; a row with
  /// NaN equals no other row).
  package static func rowKeys<T: TensorScalar>(_ x: Tensor<T>) -> [Int] {
    let n = x.shape.first ?? 0
    let d = n == 0 ? 0 : x.count / n
    var groups: [Int: [(row: Int, id: Int)]] = [:]
    var keys = [Int](repeating: 0, count: n)
    var next = 0
    for r in 0..<n {
      let row = x.scalars[(r * d)..<((r + 1) * d)]
      var h = Hasher()
      for v in row { h.combine(v) }
      let hash = h.finalize()
      if let hit = groups[hash]?.first(where: { x.scalars[($0.row * d)..<(($0.row + 1) * d)].elementsEqual(row) }) {
        keys[r] = hit.id
      } else {
        groups[hash, default: []].append((r, next))
        keys[r] = next
        next += 1
      }
    }
    return keys
  }
}
