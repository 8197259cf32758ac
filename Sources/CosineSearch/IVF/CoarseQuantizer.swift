import CCosineKernels
import CosineCore

/// The coarse centroids of an inverted-file index: `nlist` unit rows, and the same rows prepared
/// for search, so that a query's lists are its `nprobe` best centroids by the exact kernels.
///
/// A row belongs to the list of its best centroid (largest cosine, equal scores: the lower list),
/// the rule spherical k-means assigns by, when the index is built and when rows are added.
package final class CoarseQuantizer: Sendable {
  /// The number of lists.
  package let nlist: Int
  package let dimension: Int
  /// The centroids, row-major `[nlist, dimension]`, as trained (unit rows).
  package let centroids: [Float]
  /// The centroids prepared for exact search.
  package let index: CosineIndex<Float>

  /// - Throws: ``CosineError`` when `centroids` does not hold `nlist` rows or holds a non-finite value.
  package init(centroids: [Float], nlist: Int, dimension: Int) throws {
    guard nlist >= 1, centroids.count == nlist * dimension else {
      throw CosineError.invalidShape("\(centroids.count) centroid values for \(nlist) lists of \(dimension)")
    }
    if let bad = centroids.firstIndex(where: { !$0.isFinite }) {
      throw CosineError.invalidArgument(
        "centroid \(bad / Swift.max(1, dimension)) holds \(centroids[bad]): centroids must be finite")
    }
    self.nlist = nlist
    self.dimension = dimension
    self.centroids = centroids
    index = try CosineIndex(Tensor(uncheckedShape: [nlist, dimension], scalars: centroids))
  }

  /// The `probes` best lists of every query ([Q, D] `Float` rows), best first, row-major.
  package func probes(_ queries: Tensor<Float>, count probes: Int) throws -> [Int] {
    try index.search(queries, k: Swift.min(probes, nlist)).indices
  }

  /// The `probes` best lists of one query (`dimension` floats), best first: the same lists as
  /// ``probes(_:count:)`` (the query normalized the same way, every centroid's score the same
  /// bits, the same order), scored directly — a few queries skip the batch machinery.
  package func probes(one query: UnsafePointer<Float>, count probes: Int) throws -> [Int] {
    guard case .single(let panels) = index.storage else { preconditionFailure("Float centroids are split panels") }
    let a = try Packing.packed(query, rows: 1, dim: dimension, eps: index.eps, width: 1, as: Float.self)
    let bw = panels.width
    var scores = [Float](repeating: 0, count: panels.panelCount * bw)
    let all = (0..<Int64(panels.panelCount)).map { $0 }
    scores.withUnsafeMutableBufferPointer { out in
      all.withUnsafeBufferPointer { p in
        ck_score_panels(
          a.base, panels.high, panels.low, Int64(bw), Int64(dimension), p.baseAddress!, Int64(panels.panelCount),
          out.baseAddress!)
      }
    }
    var best = BestK(k: Swift.min(probes, nlist))
    for l in 0..<nlist { best.offer(scores[l], l) }
    return best.sorted().map(\.id)
  }

  /// The list of every row ([N, D]): its best centroid.
  package func assign(_ rows: Tensor<Float>) throws -> [Int] {
    try probes(rows, count: 1)
  }
}
