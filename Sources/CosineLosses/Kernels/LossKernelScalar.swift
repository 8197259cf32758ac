import CCosineKernels
import CosineCore

/// A ``KernelScalar`` with the kernels and entry points of the losses: the log-sum-exp and
/// softmax tiles of the streaming batch losses (`CCosineKernels` `loss/`), and the value and
/// pullback of ``CosineLoss``, ``MultipleNegativesRankingLoss`` and ``CosineSimilarityMetric``
/// as concrete code of each scalar type.
///
/// Generic code reaches it through ``TensorScalar/lossKernels``; a scalar type outside the library
/// has none and runs the portable loops (the packed paths in `Double`). The entry points'
/// defaults sit beside the losses they run (`CosineLoss.swift`, `MultipleNegativesRankingLoss.swift`,
/// `CosineSimilarityMetric+Kernels.swift`); each conformance below makes them concrete code.
package protocol LossKernelScalar: KernelScalar where Working: LossKernelScalar {
  /// Folds the logits `scale·s` of a tile into running per-row (max, Σ exp) states
  /// (see `ck_loss_lse_rows_f32`).
  static func lseRows(
    _ s: UnsafePointer<Working>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>)

  /// `s = f[r]·exp(scale·s − ref[r])` in place; returns `Σ_r w[r]·Σ_c exp(…)·s`
  /// (see `ck_loss_softmax_rows_f32`).
  static func softmaxRows(
    _ s: UnsafeMutablePointer<Working>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double

  /// ``CosineLoss``'s value and pullback on this type.
  static func cosineLoss(
    _ loss: CosineLoss, _ yTrue: Tensor<Self>, _ yPred: Tensor<Self>, target: Tensor<Self>?,
    sampleWeight: Tensor<Self>?
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> (Tensor<Self>, Tensor<Self>))

  /// ``CosineLoss``'s value, with the gradients of the (reduced) loss written into `g1` and `g2`
  /// (their storage reused when it has the inputs' counts).
  static func cosineLoss(
    _ loss: CosineLoss, _ yTrue: Tensor<Self>, _ yPred: Tensor<Self>, target: Tensor<Self>?,
    sampleWeight: Tensor<Self>?, into g1: inout [Self], _ g2: inout [Self]
  ) throws -> Tensor<Self>

  /// ``MultipleNegativesRankingLoss``'s value and pullback on this type's engine
  /// (`MNRLEngine<Self, Working>`).
  static func multipleNegativesRanking(
    _ loss: MultipleNegativesRankingLoss, _ a: Tensor<Self>, _ p: Tensor<Self>, _ n: Tensor<Self>?, blocks: Int
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> BatchLossGradients<Self>)

  /// The per-sample cosines (in `Double`) of ``CosineSimilarityMetric``, and the per-sample shape.
  static func sampleCosines(
    _ yTrue: Tensor<Self>, _ yPred: Tensor<Self>, axis: Int, eps: Double
  ) throws -> (cosines: [Double], shape: [Int])
}

extension TensorScalar {
  /// This type's loss kernels; nil for a conformance to ``TensorScalar`` outside the library.
  @inline(__always)
  package static var lossKernels: (any LossKernelScalar.Type)? { Self.self as? any LossKernelScalar.Type }

  /// The loss kernels the packed paths run on: this type's, or `Double`'s for a type outside the
  /// library (whose rows those paths convert to `Double` first).
  package static var packedLossKernels: any LossKernelScalar.Type { lossKernels ?? Double.self }
}

/// The tiles of a type that works in another type (`Float16` works in `Float`): forwarded.
extension LossKernelScalar {
  package static func lseRows(
    _ s: UnsafePointer<Working>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>
  ) {
    Working.lseRows(s, lds: lds, rows: rows, cols: cols, scale: scale, max: m, sum: sum)
  }

  package static func softmaxRows(
    _ s: UnsafeMutablePointer<Working>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double {
    Working.softmaxRows(s, lds: lds, rows: rows, cols: cols, scale: scale, ref: ref, f: f, w: w)
  }

  /// A batch loss witness's value and pullback on `Self`, typed for `T`, which is `Self`.
  package static func retyped<T: TensorScalar>(
    _ r: (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> BatchLossGradients<Self>)
  ) -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    (r.value.retyped(T.self), { g in try r.pullback(g.retyped(Self.self)).retyped(T.self) })
  }
}

extension BatchLossGradients {
  /// These gradients typed as `BatchLossGradients<U>`; `U` must be `Scalar` (see
  /// ``Tensor/retyped(_:)``).
  package func retyped<U: TensorScalar>(_: U.Type) -> BatchLossGradients<U> {
    BatchLossGradients<U>(
      first: first.retyped(U.self), second: second.retyped(U.self), negatives: negatives?.retyped(U.self),
      scale: scale)
  }
}

/// `Float`'s loss tiles: the `_f32` entry points of `CCosineKernels` `loss/`.
extension Float: LossKernelScalar {
  package static func lseRows(
    _ s: UnsafePointer<Float>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>
  ) {
    ck_loss_lse_rows_f32(s, Int64(lds), Int64(rows), Int64(cols), scale, m, sum)
  }

  package static func softmaxRows(
    _ s: UnsafeMutablePointer<Float>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double {
    ck_loss_softmax_rows_f32(s, Int64(lds), Int64(rows), Int64(cols), scale, ref, f, w)
  }
}

/// `Double`'s loss tiles: the `_f64` entry points of `CCosineKernels` `loss/`.
extension Double: LossKernelScalar {
  package static func lseRows(
    _ s: UnsafePointer<Double>, lds: Int, rows: Int, cols: Int, scale: Double, max m: UnsafeMutablePointer<Double>,
    sum: UnsafeMutablePointer<Double>
  ) {
    ck_loss_lse_rows_f64(s, Int64(lds), Int64(rows), Int64(cols), scale, m, sum)
  }

  package static func softmaxRows(
    _ s: UnsafeMutablePointer<Double>, lds: Int, rows: Int, cols: Int, scale: Double, ref: UnsafePointer<Double>,
    f: UnsafePointer<Double>, w: UnsafePointer<Double>
  ) -> Double {
    ck_loss_softmax_rows_f64(s, Int64(lds), Int64(rows), Int64(cols), scale, ref, f, w)
  }
}

/// `Float16` works in `Float`: its tiles are `Float`'s.
extension Float16: LossKernelScalar {}
