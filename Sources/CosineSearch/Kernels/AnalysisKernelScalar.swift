import CCosineKernels
import CosineCore

/// A ``KernelScalar`` with the kernels and entry points of the analyses: the centroid
/// accumulation of spherical k-means (`CCosineKernels` `analysis/`), the neighbor engine of the
/// working type, and the k-means run as concrete code of each scalar type.
///
/// Generic code reaches it through ``TensorScalar/analysisKernels``; a scalar type outside the
/// library has none and runs the portable loops, packed in `Double`.
package protocol AnalysisKernelScalar: SearchKernelScalar where Working: AnalysisKernelScalar {
  /// `sum += x[r] · scale[r]` for the listed rows, in order, with fused multiply-adds in `Double`.
  static func accumulateRows(
    _ x: UnsafeRawPointer, dim d: Int, rows: UnsafePointer<Int64>, count: Int, scale: UnsafePointer<Double>,
    into sum: UnsafeMutablePointer<Double>)

  /// The engine as the analyses' enum of engines (see `NeighborEngine.swift`).
  static func anyNeighborEngine(_ engine: NeighborEngine<Working>) -> AnyNeighborEngine

  /// The run of ``SphericalKMeans`` on checked rows `[n, d]` of this type
  /// (`KMeansRun<Self, Working>`); the default in `SphericalKMeans.swift` becomes concrete code in
  /// each conformance.
  static func sphericalKMeans(
    _ config: SphericalKMeans, _ rows: Tensor<Self>, n: Int, d: Int, progress: AnalysisProgressHandler?
  ) throws -> SphericalKMeansResult<Self>
}

extension TensorScalar {
  /// This type's analysis kernels; nil for a conformance to ``TensorScalar`` outside the library.
  @inline(__always)
  package static var analysisKernels: (any AnalysisKernelScalar.Type)? { Self.self as? any AnalysisKernelScalar.Type }

  /// The analysis kernels the packed paths run on: this type's, or `Double`'s for a type outside
  /// the library (whose rows are converted to `Double` first).
  package static var packedAnalysisKernels: any AnalysisKernelScalar.Type { analysisKernels ?? Double.self }
}

extension AnalysisKernelScalar {
  /// The portable loop (for `Float16`, whose rows the C kernel does not take).
  package static func accumulateRows(
    _ x: UnsafeRawPointer, dim d: Int, rows: UnsafePointer<Int64>, count: Int, scale: UnsafePointer<Double>,
    into sum: UnsafeMutablePointer<Double>
  ) {
    PortableKernels.accumulateRows(x.assumingMemoryBound(to: Self.self), d, rows, count, scale, sum)
  }

  /// Forwarded to the working type (`Float16` works in `Float`).
  package static func anyNeighborEngine(_ engine: NeighborEngine<Working>) -> AnyNeighborEngine {
    Working.anyNeighborEngine(engine)
  }
}

/// `Float`'s analysis kernels: `ck_accumulate_rows_f32`.
extension Float: AnalysisKernelScalar {
  package static func accumulateRows(
    _ x: UnsafeRawPointer, dim d: Int, rows: UnsafePointer<Int64>, count: Int, scale: UnsafePointer<Double>,
    into sum: UnsafeMutablePointer<Double>
  ) {
    ck_accumulate_rows_f32(x.assumingMemoryBound(to: Float.self), Int64(d), rows, Int64(count), scale, sum)
  }

  package static func anyNeighborEngine(_ e: NeighborEngine<Float>) -> AnyNeighborEngine { .float(e) }
}

/// `Double`'s analysis kernels: `ck_accumulate_rows_f64`.
extension Double: AnalysisKernelScalar {
  package static func accumulateRows(
    _ x: UnsafeRawPointer, dim d: Int, rows: UnsafePointer<Int64>, count: Int, scale: UnsafePointer<Double>,
    into sum: UnsafeMutablePointer<Double>
  ) {
    ck_accumulate_rows_f64(x.assumingMemoryBound(to: Double.self), Int64(d), rows, Int64(count), scale, sum)
  }

  package static func anyNeighborEngine(_ e: NeighborEngine<Double>) -> AnyNeighborEngine { .double(e) }
}

/// `Float16` works in `Float`; its rows are accumulated by the portable loop.
extension Float16: AnalysisKernelScalar {}
