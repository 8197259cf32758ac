import RealModule

/// Portable Swift loops over strided rows. They accumulate in `Double` with
/// `Relaxed.multiplyAdd`, which lets LLVM vectorize without target flags. They serve the
/// layouts the SIMD kernels do not (broadcast inputs, any axis) and the rescaled slow path.
package enum StridedKernels {
  /// `(Σ a·b, Σ a², Σ b²)` over `n` elements, each input scaled by the given factor first.
  @inline(__always)
  package static func sums<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int, _ n: Int,
    scaleA: Double = 1, scaleB: Double = 1
  ) -> (Double, Double, Double) {
    var d = 0.0
    var q1 = 0.0
    var q2 = 0.0
    var ia = 0
    var ib = 0
    if scaleA == 1 && scaleB == 1 {
      for _ in 0..<n {
        let x = Double(a[ia])
        let y = Double(b[ib])
        d = Relaxed.multiplyAdd(x, y, d)
        q1 = Relaxed.multiplyAdd(x, x, q1)
        q2 = Relaxed.multiplyAdd(y, y, q2)
        ia &+= sa
        ib &+= sb
      }
    } else {
      for _ in 0..<n {
        let x = Double(a[ia]) * scaleA
        let y = Double(b[ib]) * scaleB
        d = Relaxed.multiplyAdd(x, y, d)
        q1 = Relaxed.multiplyAdd(x, x, q1)
        q2 = Relaxed.multiplyAdd(y, y, q2)
        ia &+= sa
        ib &+= sb
      }
    }
    return (d, q1, q2)
  }

  /// The largest magnitude among `n` strided elements (NaN if any element is NaN).
  @inline(__always)
  package static func maxMagnitude<T: TensorScalar>(_ a: UnsafePointer<T>, _ sa: Int, _ n: Int) -> Double {
    var m = 0.0
    var ia = 0
    for _ in 0..<n {
      let x = Swift.abs(Double(a[ia]))
      if !(x <= m) { m = x }  // NaN wins
      ia &+= sa
    }
    return m
  }
}

/// Power-of-two rescaling that keeps sums of squares of `Double` rows inside the normal range.
package enum Rescaling {
  /// Sums of squares inside this range lose nothing to overflow or underflow.
  package static let safeRange: ClosedRange<Double> = 0x1p-960...0x1p960

  /// `true` if a row's sum of squares `q` (of finite inputs) may have overflowed or underflowed.
  @inline(__always)
  package static func needsRescale(_ q: Double) -> Bool {
    !(safeRange.contains(q)) && !q.isNaN
  }

  /// A power of two `s` such that `maxMagnitude / s` lies in [1, 2), clamped so that `1/s` is finite.
  /// Returns 1 for zero, infinite or NaN magnitudes (nothing to gain).
  package static func scale(forMaxMagnitude m: Double) -> Double {
    guard m.isFinite && m > 0 else { return 1 }
    let e = min(max(Int(m.exponent), -1000), 1000)
    return Double(sign: .plus, exponent: e, significand: 1)
  }
}
