import CCosineKernels
import CosineCore
import Foundation

/// A scalar the BERT forward pass runs in (`Float` for use, `Double` for reference checks): the
/// packed GEMM `C += A·B` of the kernels and the elementary functions of the activations.
package protocol EncoderScalar: BinaryFloatingPoint, TensorScalar {
  /// `C[i][j] += Σ_p A[i·lda + p] · B[p·ldb + j]` for `i < m`, `j < n`, `p < k`.
  static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    c: UnsafeMutablePointer<Self>, ldc: Int)
  /// `C[i][j] += Σ_p A(i, p) · B[p·ldb + j]` with `A(i, p) = a[i·aRowStride + p·aColumnStride]`:
  /// `aRowStride = 1, aColumnStride = lda` reads the transpose of a row-major matrix.
  static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Self>, aRowStride: Int, aColumnStride: Int, b: UnsafePointer<Self>,
    ldb: Int, c: UnsafeMutablePointer<Self>, ldc: Int)
  /// The error function.
  static func erf(_ x: Self) -> Self
  /// The hyperbolic tangent.
  static func tanh(_ x: Self) -> Self
  /// `e^x`.
  static func exp(_ x: Self) -> Self
  /// Converts a stored `Float` weight.
  init(_ value: Float)
  /// `x ← x·(1 + erf(x/√2))/2` for `count` values (the exact GELU).
  static func geluErf(_ x: UnsafeMutablePointer<Self>, count: Int)
  /// `g ← x·Φ(x)` and `d ← Φ(x) + x·φ(x)` (the exact GELU and its derivative) for `count` values.
  static func geluErfDerivative(
    _ x: UnsafePointer<Self>, value g: UnsafeMutablePointer<Self>, derivative d: UnsafeMutablePointer<Self>,
    count: Int)
  /// Each row of a `rows` × `cols` tile (row stride `lds`) becomes `softmax(scale · row)`.
  static func softmaxRows(_ s: UnsafeMutablePointer<Self>, lds: Int, rows: Int, cols: Int, scale: Self)
  /// `x ← LayerNorm(x + add)` over `rows` rows of `width` (`add` may be nil): the biased variance,
  /// `(y − mean)/√(var + eps)·gamma + beta`.
  static func addLayerNorm(
    _ x: UnsafeMutablePointer<Self>, add: UnsafePointer<Self>?, rows: Int, width: Int, gamma: UnsafePointer<Self>,
    beta: UnsafePointer<Self>, eps: Self)
}

extension EncoderScalar {
  /// The one-value-at-a-time forms (the `Double` reference path).
  static func geluErfScalar(_ p: UnsafeMutablePointer<Self>, count: Int) {
    let r = 1 / Self(2).squareRoot()
    for i in 0..<count { p[i] = p[i] * (1 + erf(p[i] * r)) / 2 }
  }

  static func geluErfDerivativeScalar(
    _ x: UnsafePointer<Self>, value g: UnsafeMutablePointer<Self>, derivative d: UnsafeMutablePointer<Self>,
    count: Int
  ) {
    let r = 1 / Self(2).squareRoot()
    let density = 1 / (2 * Self.pi).squareRoot()
    for i in 0..<count {
      let v = x[i]
      let cdf = (1 + erf(v * r)) / 2
      g[i] = v * cdf
      d[i] = cdf + v * density * exp(-v * v / 2)
    }
  }

  static func addLayerNormScalar(
    _ x: UnsafeMutablePointer<Self>, add: UnsafePointer<Self>?, rows: Int, width: Int, gamma: UnsafePointer<Self>,
    beta: UnsafePointer<Self>, eps: Self
  ) {
    for r in 0..<rows {
      addLayerNormRow(
        x + r * width, add: add.map { $0 + r * width }, width: width, gamma: gamma, beta: beta, eps: eps,
        normalized: nil)
    }
  }

  /// One row of ``addLayerNormScalar(_:add:rows:width:gamma:beta:eps:)``; with `normalized`, also
  /// stores `x̂ = (y − mean)/√(var + eps)` there and returns `1/√(var + eps)` (the training pass's
  /// saved values).
  @discardableResult
  static func addLayerNormRow(
    _ row: UnsafeMutablePointer<Self>, add: UnsafePointer<Self>?, width: Int, gamma: UnsafePointer<Self>,
    beta: UnsafePointer<Self>, eps: Self, normalized: UnsafeMutablePointer<Self>?
  ) -> Self {
    if let add { for j in 0..<width { row[j] += add[j] } }
    var mean: Self = 0
    for j in 0..<width { mean += row[j] }
    mean /= Self(width)
    var variance: Self = 0
    for j in 0..<width {
      let e = row[j] - mean
      variance += e * e
    }
    variance /= Self(width)
    let inv = 1 / (variance + eps).squareRoot()
    for j in 0..<width {
      let n = (row[j] - mean) * inv
      normalized?[j] = n
      row[j] = n * gamma[j] + beta[j]
    }
    return inv
  }

  static func softmaxRowsScalar(_ s: UnsafeMutablePointer<Self>, lds: Int, rows: Int, cols: Int, scale: Self) {
    for i in 0..<rows {
      let row = s + i * lds
      var top = -Self.infinity
      for j in 0..<cols {
        row[j] *= scale
        top = Swift.max(top, row[j])
      }
      var sum: Self = 0
      for j in 0..<cols {
        row[j] = exp(row[j] - top)
        sum += row[j]
      }
      let inv = 1 / sum
      for j in 0..<cols { row[j] *= inv }
    }
  }
}

extension Float: EncoderScalar {
  package static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    ck_loss_gemm_f32(Int64(m), Int64(n), Int64(k), a, Int64(lda), 1, b, Int64(ldb), c, Int64(ldc))
  }
  package static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int, b: UnsafePointer<Float>,
    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    ck_loss_gemm_f32(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }
  package static func erf(_ x: Float) -> Float { Foundation.erff(x) }
  package static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
  package static func exp(_ x: Float) -> Float { Foundation.expf(x) }
  /// The vectorized kernel (`ck_gelu_erf_f32`).
  package static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) { ck_gelu_erf_f32(x, Int64(count)) }
  /// The vectorized kernel (`ck_gelu_erf_derivative_f32`).
  package static func geluErfDerivative(
    _ x: UnsafePointer<Float>, value g: UnsafeMutablePointer<Float>, derivative d: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    ck_gelu_erf_derivative_f32(x, g, d, Int64(count))
  }
  /// The vectorized kernel (`ck_softmax_rows_f32`).
  package static func softmaxRows(_ s: UnsafeMutablePointer<Float>, lds: Int, rows: Int, cols: Int, scale: Float) {
    ck_softmax_rows_f32(s, Int64(lds), Int64(rows), Int64(cols), scale)
  }
  /// The vectorized kernel (`ck_add_layer_norm_f32`).
  package static func addLayerNorm(
    _ x: UnsafeMutablePointer<Float>, add: UnsafePointer<Float>?, rows: Int, width: Int, gamma: UnsafePointer<Float>,
    beta: UnsafePointer<Float>, eps: Float
  ) {
    ck_add_layer_norm_f32(x, add, Int64(rows), Int64(width), gamma, beta, eps)
  }
}

extension Double: EncoderScalar {
  package static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    ck_loss_gemm_f64(Int64(m), Int64(n), Int64(k), a, Int64(lda), 1, b, Int64(ldb), c, Int64(ldc))
  }
  package static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Double>, aRowStride: Int, aColumnStride: Int, b: UnsafePointer<Double>,
    ldb: Int, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    ck_loss_gemm_f64(
      Int64(m), Int64(n), Int64(k), a, Int64(aRowStride), Int64(aColumnStride), b, Int64(ldb), c, Int64(ldc))
  }
  package static func erf(_ x: Double) -> Double { Foundation.erf(x) }
  package static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
  package static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  package static func geluErf(_ x: UnsafeMutablePointer<Double>, count: Int) { geluErfScalar(x, count: count) }
  package static func geluErfDerivative(
    _ x: UnsafePointer<Double>, value g: UnsafeMutablePointer<Double>, derivative d: UnsafeMutablePointer<Double>,
    count: Int
  ) {
    geluErfDerivativeScalar(x, value: g, derivative: d, count: count)
  }
  package static func softmaxRows(_ s: UnsafeMutablePointer<Double>, lds: Int, rows: Int, cols: Int, scale: Double) {
    softmaxRowsScalar(s, lds: lds, rows: rows, cols: cols, scale: scale)
  }
  package static func addLayerNorm(
    _ x: UnsafeMutablePointer<Double>, add: UnsafePointer<Double>?, rows: Int, width: Int,
    gamma: UnsafePointer<Double>, beta: UnsafePointer<Double>, eps: Double
  ) {
    addLayerNormScalar(x, add: add, rows: rows, width: width, gamma: gamma, beta: beta, eps: eps)
  }
}
