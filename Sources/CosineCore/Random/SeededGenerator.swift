/// A fast, seeded, replayable random number generator: xoshiro256** seeded through SplitMix64.
///
/// The same seed gives the same sequence on every platform and in every build, so weight
/// initialization, shuffling and sampled pairs are reproducible.
///
/// ```swift
/// var g = SeededGenerator(seed: 42)
/// let u = g.nextUniform()          // in [0, 1)
/// let order = g.permutation(10)    // a shuffled 0..<10
/// ```
///
/// Not cryptographically secure.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  /// Creates a generator whose state is expanded from `seed` with SplitMix64, as the
  /// xoshiro authors recommend (so seeds 0, 1, 2, … give unrelated streams).
  public init(seed: UInt64) {
    var sm = SplitMix64(seed: seed)
    s0 = sm.next()
    s1 = sm.next()
    s2 = sm.next()
    s3 = sm.next()
  }

  /// The next 64 random bits (xoshiro256**).
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @inline(__always)
  private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform integer in `0 ..< upperBound` (Lemire's unbiased multiply-and-reject).
  ///
  /// - Precondition: `upperBound > 0`.
  public mutating func nextInt(below upperBound: Int) -> Int {
    precondition(upperBound > 0, "upper bound must be positive")
    let bound = UInt64(upperBound)
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
    }
    return Int(m.high)
  }

  /// A uniformly shuffled `0 ..< count` (Fisher–Yates).
  public mutating func permutation(_ count: Int) -> [Int] {
    var p = Array(0..<count)
    shuffle(&p)
    return p
  }

  /// Shuffles `elements` in place (Fisher–Yates), reproducibly for a given state.
  public mutating func shuffle<T>(_ elements: inout [T]) {
    guard elements.count > 1 else { return }
    for i in stride(from: elements.count - 1, to: 0, by: -1) {
      let j = nextInt(below: i + 1)
      if i != j { elements.swapAt(i, j) }
    }
  }
}
