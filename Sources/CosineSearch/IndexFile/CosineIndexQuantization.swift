import CosineCore

/// The codes an index stores beside its full-precision rows for a first pass over fewer bytes.
///
/// - ``none``: no codes; searches read the rows (or, for a few queries, their bfloat16 halves).
/// - ``int8``: one signed byte per element of every normalized row, `c = round(b / s)` with
///   the row's scale `s = max|b_k| / 127`, plus `s` and a bound `ε ≥ ‖b − c·s‖₂` per row
///   (D + 8 bytes per row, a quarter of the `Float` rows). A search of up to 8 queries scans
///   the codes, bounds every score's quantization error (see <doc:IndexFiles>) and rescores
///   exactly every row the bound cannot exclude: results are **identical** to the exact search.
/// - ``binary``: one sign bit per element (D/8 bytes per row). A search ranks rows by Hamming
///   distance to the query's sign bits and rescores the best `k · M` exactly (`rescore: M`):
///   **approximate** (rows outside the `k · M` are never seen), for recall against memory.
public enum CosineIndexQuantization: String, Sendable, CaseIterable {
  case none, int8, binary

  /// The value stored in an index file's header.
  package var code: UInt32 {
    switch self {
    case .none: 0
    case .int8: 1
    case .binary: 2
    }
  }

  package init?(code: UInt32) {
    switch code {
    case 0: self = .none
    case 1: self = .int8
    case 2: self = .binary
    default: return nil
    }
  }
}
