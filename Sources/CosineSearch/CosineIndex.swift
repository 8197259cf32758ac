import CosineCore

/// A corpus of embeddings prepared once for exact cosine top-k search, queried many times.
///
/// Preparation normalizes every row once (`x / max(‖x‖, eps)`, the norm taken in `Double`) and
/// stores the rows in the packed panel layout of the GEMM kernels, as `Float` for `Float` and
/// `Float16` corpora and as `Double` for `Double` ones: one copy the size of a `Float` (or
/// `Double`) corpus, plus less than one panel (32 rows) of padding. The original tensor is not
/// kept. `Float` panels are stored split, the high and the low 16 bits of every float in two
/// arrays: the kernels rebuild the floats bit for bit, and a search of a few queries, bound by
/// memory bandwidth, first reads only the high halves (bfloat16, half the bytes) and then
/// rescores exactly the panels a proven error margin cannot rule out.
///
/// ``search(_:k:)-3rgor`` scores tiles of queries against the corpus with a register-blocked
/// micro-kernel on every core and keeps, per query, a bounded heap that a score enters only if
/// it beats the heap's worst entry: the query × corpus score matrix is never built.
///
/// ```swift
/// let index = try CosineIndex(corpus)                 // [N, D], once
/// let results = try index.search(queries, k: 10)      // [Q, D], many times
/// results.hits(forQuery: 0)                           // [(index, score)], best first
/// ```
///
/// Scores are `a·b / (max(‖a‖, eps) · max(‖b‖, eps))` clamped to [−1, 1], as
/// ``cosineSimilarityMatrix(_:_:eps:)-1tk5m`` computes them: the dot products of the normalized rows
/// are accumulated in the element type (`Float` for `Float` and `Float16`), one fused
/// multiply-add chain per pair, bitwise the same on every path (many queries, one query, any
/// thread count, any instruction set). Results are identical to sorting every score.
///
/// **Edge cases:** a zero row scores 0 against everything (NaN if `eps` is 0, as the formula
/// says); a row containing NaN or an infinity scores NaN, and NaN ranks after every number;
/// an empty corpus gives empty result lists.
///
/// Ids, filters, updates, quantized first passes and index files are ``CosineIndexFile``'s.
///
/// - SeeAlso: ``topKSearch(queries:corpus:k:eps:)-31sfl``, ``CosineSearchResults``, ``CosineIndexFile``,
///   <doc:NumericalConventions>
public struct CosineIndex<Scalar: TensorScalar>: Sendable {
  /// The number of corpus rows, N (for an index with ids: the rows not removed).
  public package(set) var count: Int
  /// The length of each row, D.
  public let dimension: Int
  /// The norm floor used for corpus rows and for queries.
  public let eps: Double

  package enum Storage: Sendable {
    /// `Float` and `Float16` corpora: normalized floats as split panels.
    case single(SplitPanels)
    /// `Double` corpora: normalized doubles as plain panels.
    case double(PackedPanels<Double>)
  }

  package var storage: Storage

  /// Prepares a corpus for search.
  ///
  /// - Parameters:
  ///   - corpus: The rows to search, shape [N, D] (a rank-1 tensor is one row).
  ///   - eps: Floor of each norm. Default 1e-8. Must be finite and ≥ 0.
  /// - Throws: ``CosineError/invalidShape(_:)`` for a corpus of rank 0 or above 2,
  ///   ``CosineError/invalidArgument(_:)`` for an invalid eps.
  /// - Complexity: O(N·D) time on all cores; N·D elements of `Float` (`Double` for `Double`)
  ///   of memory.
  public init(_ corpus: Tensor<Scalar>, eps: Double = 1e-8) throws {
    try checkEps(eps)
    let c = corpus.rank == 1 ? corpus.reshaped([1, corpus.count]) : corpus
    guard c.rank == 2 else {
      throw CosineError.invalidShape(
        "a search corpus must be a matrix [N, D], got shape \(Shape.describe(corpus.shape))")
    }
    let n = c.shape[0]
    let d = c.shape[1]
    self.count = n
    self.dimension = d
    self.eps = eps
    storage = try c.scalars.withUnsafeBufferPointer { p in
      if Scalar.worksInDouble {
        return .double(try Packing.packed(p.baseAddress, rows: n, dim: d, eps: eps, width: Double.preferredPanelWidth))
      }
      let split = try SplitPanels(rows: n, dim: d, width: Float.preferredPanelWidth)
      split.pack(p.baseAddress, rows: n, eps: eps, firstPanel: 0)
      return .single(split)
    }
  }

  /// Prepares a corpus that is read in pieces, so that it never has to be in memory twice.
  ///
  /// `read` is called with consecutive ranges of rows, in order, covering `0..<count`, and a
  /// buffer of `range.count · dimension` elements to fill with those rows (row-major). Each
  /// piece is normalized and packed before the next is read: peak memory is the prepared index
  /// plus one piece of about 4 MiB.
  ///
  /// - Parameters:
  ///   - count: Number of rows, N ≥ 0.
  ///   - dimension: Row length, D ≥ 0.
  ///   - eps: Floor of each norm. Default 1e-8.
  ///   - read: Fills the buffer with the given rows; errors it throws are rethrown.
  /// - Throws: ``CosineError/invalidArgument(_:)`` for a negative size or an invalid eps, and
  ///   whatever `read` throws.
  /// - Complexity: O(N·D), with N·D elements of `Float` (`Double`) of memory.
  public init(
    count: Int, dimension: Int, eps: Double = 1e-8,
    reading read: (_ rows: Range<Int>, _ buffer: UnsafeMutableBufferPointer<Scalar>) throws -> Void
  ) throws {
    try checkEps(eps)
    guard count >= 0, dimension >= 0 else {
      throw CosineError.invalidArgument("a corpus needs count >= 0 and dimension >= 0, got \(count) and \(dimension)")
    }
    self.count = count
    self.dimension = dimension
    self.eps = eps
    if Scalar.worksInDouble {
      let panels = try PackedPanels<Double>(rows: count, dim: dimension, width: Double.preferredPanelWidth)
      try Self.readPieces(count, dimension, width: panels.width, read) { piece, rows, firstPanel in
        Packing.packParallel(piece, rows: rows, dim: dimension, eps: eps, into: panels, firstPanel: firstPanel)
      }
      storage = .double(panels)
    } else {
      let split = try SplitPanels(rows: count, dim: dimension, width: Float.preferredPanelWidth)
      try Self.readPieces(count, dimension, width: split.width, read) { piece, rows, firstPanel in
        split.pack(piece, rows: rows, eps: eps, firstPanel: firstPanel)
      }
      storage = .single(split)
    }
  }

  /// Calls `read` for consecutive pieces of whole panels (about 4 MiB) and hands each to `pack`
  /// with its row count and first panel.
  private static func readPieces(
    _ n: Int, _ d: Int, width: Int, _ read: (Range<Int>, UnsafeMutableBufferPointer<Scalar>) throws -> Void,
    pack: (UnsafePointer<Scalar>?, Int, Int) -> Void
  ) throws {
    // Rows of no elements hold nothing to read or pack (search answers them at once).
    guard n > 0, d > 0 else { return }
    let rowBytes = Swift.max(1, d * MemoryLayout<Scalar>.stride)
    let piece = width * Swift.max(1, (4 << 20) / (rowBytes * width))
    // Not initialized: `read` fills each piece before it is packed (and the scalar types are
    // trivial). Zeroing it here would cost as much as a piece's reading.
    let buffer = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: Swift.min(piece, n) * d)
    defer { buffer.deallocate() }
    var r0 = 0
    while r0 < n {
      let rows = Swift.min(piece, n - r0)
      try read(r0..<r0 + rows, UnsafeMutableBufferPointer(rebasing: buffer[0..<rows * d]))
      pack(UnsafePointer(buffer.baseAddress), rows, r0 / width)
      r0 += rows
    }
  }

  /// An index over packed split panels (rows numbered from 0): a segment of an index file
  /// searched by the exact kernels.
  package init(panels: SplitPanels, eps: Double) {
    count = panels.rows
    dimension = panels.dim
    self.eps = eps
    storage = .single(panels)
  }

  /// Bytes held by the prepared corpus.
  public var byteCount: Int {
    switch storage {
    case .single(let p): return p.byteCount
    case .double(let p): return p.byteCount
    }
  }
}
