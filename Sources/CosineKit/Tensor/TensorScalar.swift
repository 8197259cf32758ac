/// The element types a ``Tensor`` can store: `Float16`, `Float` and `Double`.
///
/// Arithmetic on `Float16` and `Float` storage is carried out in `Double` (or, in the
/// SIMD kernels for `Float16`, in `Float`), so results are the exactly evaluated formula
/// rounded once to the storage type. See <doc:NumericalConventions>.
public protocol TensorScalar: BinaryFloatingPoint, Sendable, Codable, BitwiseCopyable
where RawSignificand: FixedWidthInteger {
  /// A short name of the type as NumPy spells it (`float16`, `float32`, `float64`).
  static var numpyName: String { get }
}

extension Float: TensorScalar {
  public static var numpyName: String { "float32" }
}

extension Double: TensorScalar {
  public static var numpyName: String { "float64" }
}

extension Float16: TensorScalar {
  public static var numpyName: String { "float16" }
}
