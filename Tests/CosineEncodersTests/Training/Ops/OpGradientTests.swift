import CosineCore
import Foundation
import Testing

@testable import CosineEncoders

/// Each op's backward form against central differences of its forward form in Double: the loss
/// is `Σ w·output` with seeded weights `w`, so the op's backward pass, given `w` as the upstream
/// gradient, must give the derivative of that sum with respect to each input.
@Suite struct OpGradientTests {
  static func random(_ n: Int, _ g: inout SplitMix64, scale: Double = 1) -> [Double] {
    (0..<n).map { _ in (g.nextDouble() * 2 - 1) * scale }
  }

  /// `Σ w·f(x)` and its central difference at each of `probes` seeded positions of `x`,
  /// compared with `analytic`.
  static func check(
    _ name: String, x: [Double], w: [Double], analytic: [Double], probes: Int = 40, seed: UInt64 = 9,
    _ f: ([Double]) -> [Double]
  ) {
    var g = SplitMix64(seed: seed)
    func loss(_ v: [Double]) -> Double { zip(f(v), w).reduce(0) { $0 + $1.0 * $1.1 } }
    for _ in 0..<probes {
      let i = Int(g.next() % UInt64(x.count))
      let h = 1e-6 * max(1, abs(x[i]))
      var plus = x
      var minus = x
      plus[i] += h
      minus[i] -= h
      let numeric = (loss(plus) - loss(minus)) / (2 * h)
      #expect(abs(numeric - analytic[i]) <= 1e-6 * max(1, abs(numeric)), "\(name)[\(i)]: \(numeric) vs \(analytic[i])")
    }
  }

  @Test func layerNorm() {
    var g = SplitMix64(seed: 1)
    let (rows, width) = (5, 24)
    let x = Self.random(rows * width, &g, scale: 3)
    let residual = Self.random(rows * width, &g)
    let gamma = Self.random(width, &g)
    let beta = Self.random(width, &g)
    let w = Self.random(rows * width, &g)
    /// The output, `x̂` and `1/σ`.
    func saving(_ x: [Double], _ residual: [Double], _ gamma: [Double], _ beta: [Double])
      -> ([Double], [Double], [Double])
    {
      var y = x
      var xhat = [Double](repeating: 0, count: rows * width)
      var rstd = [Double](repeating: 0, count: rows)
      LayerNormOp<Double>.forward(
        &y, adding: residual, rows: rows, width: width, gamma: gamma, beta: beta, eps: 1e-5, normalized: &xhat,
        inverseDeviation: &rstd)
      return (y, xhat, rstd)
    }
    func forward(_ x: [Double], _ residual: [Double], _ gamma: [Double], _ beta: [Double]) -> [Double] {
      saving(x, residual, gamma, beta).0
    }
    let (_, xhat, rstd) = saving(x, residual, gamma, beta)
    var dx = [Double](repeating: 0, count: rows * width)
    var dGamma = [Double](repeating: 0, count: width)
    var dBeta = [Double](repeating: 0, count: width)
    LayerNormOp<Double>.backward(
      w, normalized: xhat, inverseDeviation: rstd, rows: rows, width: width, gamma: gamma, dGamma: &dGamma,
      dBeta: &dBeta, into: &dx)
    Self.check("x", x: x, w: w, analytic: dx) { forward($0, residual, gamma, beta) }
    Self.check("residual", x: residual, w: w, analytic: dx) { forward(x, $0, gamma, beta) }
    Self.check("gamma", x: gamma, w: w, analytic: dGamma) { forward(x, residual, $0, beta) }
    Self.check("beta", x: beta, w: w, analytic: dBeta) { forward(x, residual, gamma, $0) }
  }

  @Test(arguments: [BertActivation.gelu, .geluTanh, .relu]) func activation(_ activation: BertActivation) {
    var g = SplitMix64(seed: 2)
    let u = Self.random(300, &g, scale: 5).map { activation == .relu && abs($0) < 1e-3 ? 0.5 : $0 }
    let w = Self.random(300, &g)
    var value = [Double](repeating: 0, count: 300)
    var slope = [Double](repeating: 0, count: 300)
    ActivationOp<Double>.valueAndDerivative(u, count: 300, activation, value: &value, derivative: &slope)
    var forward = [Double](repeating: 0, count: 300)
    ActivationOp<Double>.forward(u, count: 300, activation, into: &forward)
    #expect(zip(value, forward).allSatisfy { abs($0 - $1) <= 1e-15 * max(1, abs($1)) })
    var d = w
    ActivationOp<Double>.multiply(&d, by: slope, count: 300)
    Self.check("\(activation)", x: u, w: w, analytic: d, probes: 100) { v in
      var out = [Double](repeating: 0, count: 300)
      ActivationOp<Double>.forward(v, count: 300, activation, into: &out)
      return out
    }
  }

  @Test func dense() {
    var g = SplitMix64(seed: 3)
    let (rows, k, n) = (7, 9, 5)
    let x = Self.random(rows * k, &g)
    let weight = Self.random(k * n, &g)
    let bias = Self.random(n, &g)
    let w = Self.random(rows * n, &g)
    func forward(_ x: [Double], _ weight: [Double], _ bias: [Double]) -> [Double] {
      var y = [Double](repeating: 0, count: rows * n)
      DenseOp<Double>.forward(
        x, ldx: k, rows: rows, weight: weight, bias: bias, inputs: k, outputs: n, into: &y, ldy: n)
      return y
    }
    var dW = [Double](repeating: 0, count: k * n)
    var dB = [Double](repeating: 0, count: n)
    DenseOp<Double>.parameterGradients(
      x, ldx: k, dy: w, ldy: n, rows: rows, inputs: k, outputs: n, weight: &dW, bias: &dB)
    var wt = [Double](repeating: 0, count: k * n)
    DenseOp<Double>.transpose(weight, rows: k, cols: n, into: &wt)
    var dx = [Double](repeating: 0, count: rows * k)
    DenseOp<Double>.inputGradient(w, ldy: n, rows: rows, transposed: wt, inputs: k, outputs: n, into: &dx, ldx: k)
    Self.check("x", x: x, w: w, analytic: dx) { forward($0, weight, bias) }
    Self.check("weight", x: weight, w: w, analytic: dW) { forward(x, $0, bias) }
    Self.check("bias", x: bias, w: w, analytic: dB) { forward(x, weight, $0) }
  }

  /// Attention over three sequences of different lengths (one token long included), with and
  /// without dropout on the probabilities.
  @Test(arguments: [false, true]) func attention(dropout: Bool) {
    var g = SplitMix64(seed: 4)
    let (heads, h) = (2, 8)
    let sequences = [0..<5, 5..<6, 6..<13]
    let t = 13
    let qkv = Self.random(t * 3 * h, &g, scale: 2)
    let w = Self.random(t * h, &g)
    let drop = dropout ? Dropout(probability: 0.3, seed: 77) : nil
    func forward(_ qkv: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: t * h)
      AttentionOp<Double>.forward(
        qkv, sequences: sequences, heads: heads, hidden: h, dropout: drop, site: 3, into: &out)
      return out
    }
    var dqkv = [Double](repeating: 0, count: t * 3 * h)
    AttentionOp<Double>.backward(
      qkv, gradient: w, sequences: sequences, heads: heads, hidden: h, dropout: drop, site: 3, into: &dqkv)
    Self.check("qkv", x: qkv, w: w, analytic: dqkv, probes: 120, forward)
  }

  /// Every pooling mode over packed sequences, then the L2 normalization.
  @Test(arguments: PoolingMode.allCases) func pooling(_ mode: PoolingMode) {
    var g = SplitMix64(seed: 5)
    let h = 6
    let sequences = [0..<4, 4..<5, 5..<11]
    let states = Self.random(11 * h, &g)
    let w = Self.random(3 * h, &g)
    func forward(_ s: [Double]) -> [Double] {
      var argmax: [Int] = []
      var p = s.withUnsafeBufferPointer {
        Pooler<Double>.pool(packed: $0.baseAddress!, sequences: sequences, hidden: h, modes: [mode], argmax: &argmax)
      }
      Pooler<Double>.normalize(&p, rows: 3, width: h)
      return p
    }
    var argmax: [Int] = []
    let pooled = states.withUnsafeBufferPointer {
      Pooler<Double>.pool(packed: $0.baseAddress!, sequences: sequences, hidden: h, modes: [mode], argmax: &argmax)
    }
    let norms = Pooler<Double>.norms(pooled, rows: 3, width: h)
    var normalized = pooled
    Pooler<Double>.normalize(&normalized, rows: 3, width: h)
    let dPooled = Pooler<Double>.normalizeGradient(w, normalized: normalized, norms: norms, rows: 3, width: h)
    var dStates = [Double](repeating: 0, count: 11 * h)
    Pooler<Double>.poolGradient(dPooled, sequences: sequences, hidden: h, modes: [mode], argmax: argmax, into: &dStates)
    Self.check("\(mode)", x: states, w: w, analytic: dStates, probes: 66, forward)
    // The packed form equals the padded form of inference.
    var padded = [Double](repeating: 0, count: 3 * 7 * h)
    var mask = [Int32](repeating: 0, count: 3 * 7)
    for (b, seq) in sequences.enumerated() {
      for (i, t) in seq.enumerated() {
        mask[b * 7 + i] = 1
        for j in 0..<h { padded[(b * 7 + i) * h + j] = states[t * h + j] }
      }
    }
    let reference = Pooler<Double>.pool(states: padded, mask: mask, batch: 3, length: 7, hidden: h, modes: [mode])
    #expect(zip(reference, pooled).allSatisfy { abs($0 - $1) <= 1e-15 * max(1, abs($0)) }, "\(mode)")
  }

  /// Embeddings scatter each token's gradient into its word, position and token-type rows.
  @Test func embeddings() throws {
    let model = try SentenceEncoderModel(contentsOf: Fixtures.directory("minilm"))
    let p = BertParameters(model.bert.weights, configuration: model.bert.configuration).converted(to: Double.self)
    let layout = p.layout
    let h = layout.configuration.hiddenSize
    let ids = [3, 7, 3, 100]
    let positions = [0, 1, 2, 0]
    var g = SplitMix64(seed: 6)
    let w = Self.random(ids.count * h, &g)
    var grads = [Double](repeating: 0, count: layout.count)
    EmbeddingOp<Double>.backward(w, layout: layout, ids: ids, positions: positions, into: &grads)
    func forward(_ v: [Double]) -> [Double] {
      var x = [Double](repeating: 0, count: ids.count * h)
      EmbeddingOp<Double>.forward(v, layout: layout, ids: ids, positions: positions, into: &x)
      return x
    }
    // Probe the rows the tokens use (word 3 twice, word 7, word 100; positions 0–2; type 0).
    var probe = SplitMix64(seed: 8)
    for _ in 0..<30 {
      let j = Int(probe.next() % UInt64(h))
      for base in [
        layout.wordEmbeddings + 3 * h, layout.wordEmbeddings + 100 * h, layout.positionEmbeddings,
        layout.tokenTypeEmbeddings,
      ] {
        let i = base + j
        var plus = p.values
        var minus = p.values
        plus[i] += 1e-6
        minus[i] -= 1e-6
        let f = { (v: [Double]) in zip(forward(v), w).reduce(0) { $0 + $1.0 * $1.1 } }
        let numeric = (f(plus) - f(minus)) / 2e-6
        #expect(abs(numeric - grads[i]) <= 1e-7, "flat \(i)")
      }
    }
  }
}
