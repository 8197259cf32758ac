/// Reading and writing NumPy `.npy` files.
///
/// A `.npy` file is a magic string, a format version, a header — a Python dict literal
/// giving the element type (`'descr'`), the memory order (`'fortran_order'`) and the shape —
/// and the raw elements. See
/// <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>.
///
/// - Reading (``read(contentsOf:)``, ``decode(_:source:)``) accepts format versions 1.0, 2.0
///   and 3.0, both byte orders and both memory orders. `float16`, `float32` and `float64`
///   arrays keep their type; integer (`int8` … `uint64`) and `bool` arrays are converted to
///   `float64` (integers beyond ±2⁵³ are rounded to the nearest `Double`). Every other dtype is
///   rejected. The reader is meant for files from strangers: it validates the whole header and
///   the file size before allocating anything, and reports every problem as an ``NPYError``
///   instead of trapping.
/// - Writing (``encode(_:)``, ``write(_:to:)``) produces exactly what `numpy.save` writes for
///   the same array: version 1.0 (2.0 only for a header longer than 65535 bytes),
///   little-endian, C order, header padded so the data starts at a multiple of 64 bytes.
public enum NPY {}
