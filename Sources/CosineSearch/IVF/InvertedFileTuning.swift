import CosineCore
import Dispatch

/// One point of an inverted-file index's recall and speed curve (``CosineIndexFile/tune(queries:k:nprobes:)``).
public struct InvertedFileTuningPoint: Sendable, Equatable {
  /// Lists probed per query.
  public let nprobe: Int
  /// recall@k: the fraction of the exact top k (all lists probed) that the search returned.
  public let recall: Double
  /// Queries per second of the whole batch at this `nprobe`, on this machine and thread count.
  public let queriesPerSecond: Double
  /// Queries per second when the queries come one at a time (up to 100 of them): the latency's
  /// inverse.
  public let singleQueriesPerSecond: Double
}

extension CosineIndexFile {
  /// Measures recall@k and speed of ``search(_:k:nprobe:filter:)`` for a range of `nprobe`
  /// against the exact search (every list probed).
  ///
  /// - Parameters:
  ///   - queries: [Q, D] sample queries (real ones: recall depends on where queries fall).
  ///   - k: Results per query. Default 10.
  ///   - nprobes: The values to try; nil: 1, 2, 4, … up to the list count, and the list count.
  /// - Returns: One point per `nprobe`, in increasing `nprobe`.
  /// - Throws: ``CosineError/invalidArgument(_:)`` for a flat index or invalid values; as ``search(_:k:nprobe:filter:)``.
  ///
  /// **Edge cases:** ties at the k-th place count as misses when another row of the same score
  /// was returned; the exact search itself is timed as the last point when `nprobes` includes
  /// the list count.
  public func tune(queries: Tensor<Float>, k: Int = 10, nprobes: [Int]? = nil) throws -> [InvertedFileTuningPoint] {
    guard let nlist = listCount else {
      throw CosineError.invalidArgument("tuning needs an inverted-file index (build it with --ivf NLIST)")
    }
    guard k >= 1 else { throw CosineError.invalidArgument("top-k must be >= 1, got \(k)") }
    var values = nprobes ?? Array(sequence(first: 1) { $0 * 2 }.prefix { $0 < nlist }) + [nlist]
    values = Array(Set(values.map { Swift.min($0, nlist) })).sorted()
    if let bad = values.first(where: { $0 < 1 }) {
      throw CosineError.invalidArgument("nprobe must be >= 1, got \(bad)")
    }
    let exact = try search(queries, k: k, nprobe: nlist)
    let truth = (0..<exact.queryCount).map { Set(exact.indices[$0 * exact.k..<($0 + 1) * exact.k]) }
    return try values.map { p in
      let t0 = DispatchTime.now().uptimeNanoseconds
      let r = try search(queries, k: k, nprobe: p)
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
      var found = 0
      for q in 0..<r.queryCount { found += r.indices[q * r.k..<(q + 1) * r.k].filter { truth[q].contains($0) }.count }
      let total = truth.reduce(0) { $0 + $1.count }
      let singles = Swift.min(100, queries.shape[0])
      let t1 = DispatchTime.now().uptimeNanoseconds
      for q in 0..<singles { _ = try search(queries[q].reshaped([1, dimension]), k: k, nprobe: p) }
      let single = Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
      return InvertedFileTuningPoint(
        nprobe: p, recall: total == 0 ? 1 : Double(found) / Double(total),
        queriesPerSecond: Double(r.queryCount) / Swift.max(seconds, 1e-9),
        singleQueriesPerSecond: Double(singles) / Swift.max(single, 1e-9))
    }
  }
}
