/// The element types a ``Tensor`` can store: `Float16`, `Float` and `Double`.
///
/// Arithmetic on `Float16` and `Float` storage is carried out in `Double` (or, in the
/// SIMD kernels for `Float16`, in `Float`), so results are the exactly evaluated formula
/// rounded once to the storage type. See <doc:NumericalConventions>.
///
/// **Edge cases:** another module may conform its own type. The library has no kernels for it:
/// row-wise ops and losses run portable Swift loops in `Double`, and the packed paths (similarity
/// matrix, search, analyses, batch losses) convert its rows to `Double` and work there, rounding
/// results back to the type once; they are correct but slower than for the three built-in types.
/// ``AnyTensor`` (and so the file writers) stores it as `float64`.
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
