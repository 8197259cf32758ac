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

  /// The list of every row ([N, D]): its best centroid.
  package func assign(_ rows: Tensor<Float>) throws -> [Int] {
    try probes(rows, count: 1)
  }
}
