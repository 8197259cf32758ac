import CosineCore

/// An index of `Float` rows with ids, for search with filters, updates, a quantized first pass and
/// persistence: the index file format's type (see <doc:IndexFiles>).
///
/// Rows are normalized and packed as ``CosineIndex`` packs a `Float` corpus (scores are bitwise
/// the same), in increasing id order within each segment, with optional int8 or binary codes
/// beside them. An index lives in memory or is mapped from a file (``init(mapping:)``): nothing
/// is re-packed when it is opened.
///
/// ```swift
/// var index = try CosineIndexFile(corpus, ids: myIds, quantization: .int8)   // Tensor<Float>
/// try index.save(to: "corpus.cosidx")
/// let mapped = try CosineIndexFile(mapping: "corpus.cosidx")
/// let r = try mapped.search(queries, k: 10, filter: .denying(seen))
/// ```
///
/// Index files hold `Float` rows, so the type takes `Tensor<Float>` (convert other types with
/// ``Tensor/converted(to:)``); for exact search of `Double` or `Float16` rows in memory use
/// ``CosineIndex``.
///
/// **Edge cases:** an empty corpus, or an index with every row removed, has `count == 0` and
/// returns empty result lists.
public struct CosineIndexFile: Sendable {
  /// The rows, ids, tombstones and codes (in memory, or mapped from a file).
  package var table: IndexTable

  package init(table: IndexTable) { self.table = table }

  /// The number of live rows (stored rows not removed).
  public var count: Int { table.liveRows }
  /// The length of each row, D.
  public var dimension: Int { table.dimension }
  /// The norm floor used for the rows and for queries.
  public var eps: Double { table.eps }
  /// Bytes held by the rows, ids and codes (mapped bytes for a mapped index).
  public var byteCount: Int { table.byteCount }
  /// The stored codes.
  public var quantization: CosineIndexQuantization { table.quantization }

  /// The ids of the live rows, ascending.
  public var ids: [Int] {
    var all: [Int] = []
    all.reserveCapacity(table.liveRows)
    for s in table.segments { for r in 0..<s.rows where !table.isRemoved(s.id(r)) { all.append(s.id(r)) } }
    return table.segments.count > 1 ? all.sorted() : all
  }

  /// Removed rows still stored (until ``compact()``).
  public var removedCount: Int { table.tombstones.count }

  /// The number of blocks rows were added in (1 after ``compact()``).
  public var segmentCount: Int { table.segments.count }

  /// The rows of an in-memory `Float` index, numbered 0..<N, without codes: the prepared panels
  /// are copied bit for bit (no re-packing).
  ///
  /// - Complexity: O(N·D).
  public init(_ index: CosineIndex<Float>) {
    guard case .single(let p) = index.storage else { preconditionFailure("a Float index holds split panels") }
    self.init(
      table: IndexTable(
        segments: [IndexSegment.make(panels: p, ids: (0..<Int64(p.rows)).map { $0 }, quantization: .none)],
        tombstones: [], quantization: .none, dimension: index.dimension, width: p.width, eps: index.eps))
  }

  /// Checks that `ids` holds no id twice, as every way of building an index or adding rows does.
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` naming the first repeated id (the smallest)
  ///   and its first two positions: `"duplicate id 1 at rows 0 and 3"`.
  /// - Complexity: O(n log n).
  public static func checkDistinct(_ ids: [Int]) throws {
    let wide = ids.map(Int64.init)
    try checkDistinct(wide, order: wide.indices.sorted { wide[$0] < wide[$1] || (wide[$0] == wide[$1] && $0 < $1) })
  }

  /// ``checkDistinct(_:)`` with the positions already sorted by (id, position).
  package static func checkDistinct(_ ids: [Int64], order: [Int]) throws {
    for (a, b) in zip(order, order.dropFirst()) where ids[a] == ids[b] {
      throw CosineError.invalidArgument("duplicate id \(ids[a]) at rows \(a) and \(b)")
    }
  }
}
