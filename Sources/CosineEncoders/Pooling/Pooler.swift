/// Pools token states into one vector per sequence, exactly as sentence-transformers' `Pooling`.
package enum Pooler<Scalar: EncoderScalar> {
  /// The concatenated pooled vectors, `[batch, modes·hidden]`.
  ///
  /// - Parameters:
  ///   - states: token states `[batch, length, hidden]` (values under mask 0 are ignored).
  ///   - mask: `[batch, length]`, 0 or 1.
  ///   - modes: the modes, concatenated in this order.
  package static func pool(
    states: [Scalar], mask: [Int32], batch: Int, length: Int, hidden h: Int, modes: [PoolingMode]
  ) -> [Scalar] {
    let width = modes.count * h
    var out = [Scalar](repeating: 0, count: batch * width)
    for b in 0..<batch {
      let m = mask[(b * length)..<((b + 1) * length)].map { $0 != 0 }
      let first = m.firstIndex(of: true)
      let last = m.lastIndex(of: true)
      let count = Scalar(m.filter { $0 }.count)
      func row(_ t: Int) -> ArraySlice<Scalar> { states[((b * length + t) * h)..<((b * length + t + 1) * h)] }
      for (slot, mode) in modes.enumerated() {
        let o = b * width + slot * h
        switch mode {
        case .cls:
          let t = first ?? 0
          for (j, v) in row(t).enumerated() { out[o + j] = v }
        case .lastToken:
          if let t = last { for (j, v) in row(t).enumerated() { out[o + j] = v } }
        case .max:
          for j in 0..<h { out[o + j] = -.infinity }
          for t in 0..<length where m[t] {
            for (j, v) in row(t).enumerated() { out[o + j] = Swift.max(out[o + j], v) }
          }
        case .mean, .meanSqrtLength:
          for t in 0..<length where m[t] { for (j, v) in row(t).enumerated() { out[o + j] += v } }
          let denominator = Swift.max(count, Scalar(1e-9))
          let d = mode == .mean ? denominator : denominator.squareRoot()
          for j in 0..<h { out[o + j] /= d }
        case .weightedMean:
          let pad = first ?? 0
          var total: Scalar = 0
          for t in 0..<length where m[t] {
            let weight = Scalar(t + 1 - pad)
            total += weight
            for (j, v) in row(t).enumerated() { out[o + j] += weight * v }
          }
          let d = Swift.max(total, Scalar(1e-9))
          for j in 0..<h { out[o + j] /= d }
        }
      }
    }
    return out
  }

  /// Scales each row of `[rows, width]` to unit L2 norm: `x / max(‖x‖, 1e-12)`.
  package static func normalize(_ x: inout [Scalar], rows: Int, width: Int) {
    for r in 0..<rows {
      var sum: Scalar = 0
      for j in 0..<width { sum += x[r * width + j] * x[r * width + j] }
      let norm = Swift.max(sum.squareRoot(), Scalar(1e-12))
      for j in 0..<width { x[r * width + j] /= norm }
    }
  }
}

extension Pooler {
  /// ``pool(states:mask:batch:length:hidden:modes:)`` over packed tokens (each sequence's tokens
  /// contiguous, no padding): `[sequences.count, modes·hidden]`. For `max`, `argmax` receives
  /// the token each value came from (the first of ties), for the derivative.
  package static func pool(
    packed states: UnsafePointer<Scalar>, sequences: [Range<Int>], hidden h: Int, modes: [PoolingMode],
    argmax: inout [Int]
  ) -> [Scalar] {
    let width = modes.count * h
    var out = [Scalar](repeating: 0, count: sequences.count * width)
    argmax = [Int](repeating: 0, count: sequences.count * width)
    for (b, seq) in sequences.enumerated() {
      for (slot, mode) in modes.enumerated() {
        let o = b * width + slot * h
        let weights = tokenWeights(mode, count: seq.count)
        switch mode {
        case .cls, .lastToken:
          guard !seq.isEmpty else { continue }
          let t = mode == .cls ? seq.lowerBound : seq.upperBound - 1
          for j in 0..<h { out[o + j] = states[t * h + j] }
        case .max:
          for j in 0..<h { out[o + j] = -.infinity }
          for t in seq {
            for j in 0..<h where states[t * h + j] > out[o + j] {
              out[o + j] = states[t * h + j]
              argmax[o + j] = t
            }
          }
        case .mean, .meanSqrtLength, .weightedMean:
          for (i, t) in seq.enumerated() { for j in 0..<h { out[o + j] += weights[i] * states[t * h + j] } }
        }
      }
    }
    return out
  }

  /// The derivative of ``pool(packed:sequences:hidden:modes:argmax:)``: adds `∂L/∂pooled`
  /// (`[sequences.count, modes·hidden]`) into `∂L/∂states` (`[tokens, hidden]`).
  package static func poolGradient(
    _ dPooled: [Scalar], sequences: [Range<Int>], hidden h: Int, modes: [PoolingMode], argmax: [Int],
    into dStates: UnsafeMutablePointer<Scalar>
  ) {
    let width = modes.count * h
    for (b, seq) in sequences.enumerated() {
      for (slot, mode) in modes.enumerated() {
        let o = b * width + slot * h
        let weights = tokenWeights(mode, count: seq.count)
        switch mode {
        case .cls, .lastToken:
          guard !seq.isEmpty else { continue }
          let t = mode == .cls ? seq.lowerBound : seq.upperBound - 1
          for j in 0..<h { dStates[t * h + j] += dPooled[o + j] }
        case .max:
          guard !seq.isEmpty else { continue }
          for j in 0..<h { dStates[argmax[o + j] * h + j] += dPooled[o + j] }
        case .mean, .meanSqrtLength, .weightedMean:
          for (i, t) in seq.enumerated() { for j in 0..<h { dStates[t * h + j] += weights[i] * dPooled[o + j] } }
        }
      }
    }
  }

  /// Each token's weight in a pooled sum of `count` tokens: `1/n` (mean), `1/√n`
  /// (mean_sqrt_len_tokens), `(i + 1)/Σ(i + 1)` (weightedmean); empty for the other modes.
  static func tokenWeights(_ mode: PoolingMode, count n: Int) -> [Scalar] {
    switch mode {
    case .mean: return [Scalar](repeating: 1 / Swift.max(Scalar(n), Scalar(1e-9)), count: n)
    case .meanSqrtLength: return [Scalar](repeating: 1 / Swift.max(Scalar(n), Scalar(1e-9)).squareRoot(), count: n)
    case .weightedMean:
      let total = Swift.max(Scalar(n * (n + 1) / 2), Scalar(1e-9))
      return (0..<n).map { Scalar($0 + 1) / total }
    default: return []
    }
  }

  /// The derivative of ``normalize(_:rows:width:)``: with `y = x/‖x‖` (`normalized`) and the
  /// norms `‖x‖` (`norms`, clamped at 1e-12 as the forward pass), `∂x = (∂y − y·(y·∂y))/‖x‖`; where
  /// the clamp was active, `∂x = ∂y/1e-12`.
  package static func normalizeGradient(
    _ dy: [Scalar], normalized y: [Scalar], norms: [Scalar], rows: Int, width: Int
  ) -> [Scalar] {
    var dx = dy
    for r in 0..<rows {
      let o = r * width
      let norm = norms[r]
      if norm <= Scalar(1e-12) {
        for j in 0..<width { dx[o + j] = dy[o + j] / Scalar(1e-12) }
        continue
      }
      var dot: Scalar = 0
      for j in 0..<width { dot += y[o + j] * dy[o + j] }
      for j in 0..<width { dx[o + j] = (dy[o + j] - y[o + j] * dot) / norm }
    }
    return dx
  }

  /// Each row's L2 norm, clamped below at 1e-12 (the divisor of ``normalize(_:rows:width:)``).
  package static func norms(_ x: [Scalar], rows: Int, width: Int) -> [Scalar] {
    (0..<rows).map { r in
      var sum: Scalar = 0
      for j in 0..<width { sum += x[r * width + j] * x[r * width + j] }
      return Swift.max(sum.squareRoot(), Scalar(1e-12))
    }
  }
}
