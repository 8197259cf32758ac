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
