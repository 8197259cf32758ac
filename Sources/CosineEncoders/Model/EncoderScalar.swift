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
  /// The error function.
  static func erf(_ x: Self) -> Self
  /// The hyperbolic tangent.
  static func tanh(_ x: Self) -> Self
  /// `e^x`.
  static func exp(_ x: Self) -> Self
  /// Converts a stored `Float` weight.
  init(_ value: Float)
}

extension Float: EncoderScalar {
  package static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    ck_loss_gemm_f32(Int64(m), Int64(n), Int64(k), a, Int64(lda), 1, b, Int64(ldb), c, Int64(ldc))
  }
  package static func erf(_ x: Float) -> Float { Foundation.erff(x) }
  package static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
  package static func exp(_ x: Float) -> Float { Foundation.expf(x) }
}

extension Double: EncoderScalar {
  package static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    ck_loss_gemm_f64(Int64(m), Int64(n), Int64(k), a, Int64(lda), 1, b, Int64(ldb), c, Int64(ldc))
  }
  package static func erf(_ x: Double) -> Double { Foundation.erf(x) }
  package static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
  package static func exp(_ x: Double) -> Double { Foundation.exp(x) }
}
