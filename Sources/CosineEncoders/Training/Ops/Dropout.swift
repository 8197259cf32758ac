import CosineCore

/// Inverted dropout with masks that are a pure function of (seed, site, index), so the backward
/// pass regenerates the forward pass's mask instead of storing it: an element is kept with
/// probability `1 − p` and scaled by `1 / (1 − p)`, as `torch.nn.Dropout` in training mode.
///
/// The mask comes from a SplitMix64 finalizer of the seed, the site (which dropout of the
/// network) and the element's index; it is not PyTorch's random stream, so runs with dropout
/// match PyTorch in distribution, not value by value.
package struct Dropout: Sendable, Equatable {
  /// The drop probability `p`, in `[0, 1)`.
  package let probability: Double
  /// The step's seed.
  package let seed: UInt64
  private let threshold: UInt64

  /// A dropout of probability `p` for the step seeded by `seed`.
  package init(probability p: Double, seed: UInt64) {
    probability = p
    self.seed = seed
    threshold = UInt64(p * 0x1p53)
  }

  /// Whether element `index` of `site` is kept.
  @inline(__always)
  package func keeps(site: UInt64, index: Int) -> Bool {
    var z = (seed ^ (site &* 0xD1B5_4A32_D192_ED03)) &+ (UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return (z >> 11) >= threshold
  }

  /// `x[i] ← keeps(i) ? x[i] / (1 − p) : 0` for `i < count`, the element index starting at
  /// `first`: the forward pass, and (the map being linear) its own backward pass.
  package func apply<Scalar: EncoderScalar>(
    _ x: UnsafeMutablePointer<Scalar>, count: Int, site: UInt64, first: Int = 0
  ) {
    let scale = Scalar(1 / (1 - probability))
    for i in 0..<count { x[i] = keeps(site: site, index: first + i) ? x[i] * scale : 0 }
  }

  /// ``apply(_:count:site:first:)`` split across the threads.
  package func applyInParallel<Scalar: EncoderScalar>(_ x: UnsafeMutablePointer<Scalar>, count: Int, site: UInt64) {
    Parallel.forEachRange(count, costPerItem: 8) { range in
      apply(x + range.lowerBound, count: range.count, site: site, first: range.lowerBound)
    }
  }
}
