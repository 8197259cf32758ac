/// SplitMix64 (Steele, Lea and Flood 2014): a tiny seeded generator, the same on every platform.
///
/// The analyses draw their random numbers from it directly (k-means++ sampling), and
/// ``SeededGenerator`` expands its seed through it. Not cryptographically secure.
package struct SplitMix64: RandomNumberGenerator, Sendable {
  /// The generator's state; every call to ``next()`` advances it by the golden-ratio increment.
  package var state: UInt64

  /// A generator starting from `seed`.
  package init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform double in [0, 1) with 53 random bits.
  package mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A uniform sample of `count` of the indices `0..<n` without repetition, in increasing order:
  /// the first `count` steps of a Fisher–Yates shuffle (one ``nextDouble()`` each). All of
  /// `0..<n` when `count ≥ n`, drawing nothing.
  package mutating func sortedSample(_ count: Int, of n: Int) -> [Int] {
    guard count < n else { return Array(0..<n) }
    var all = Array(0..<n)
    for i in 0..<count {
      let j = i + Int(nextDouble() * Double(n - i))
      all.swapAt(i, j)
    }
    return all.prefix(count).sorted()
  }
}
