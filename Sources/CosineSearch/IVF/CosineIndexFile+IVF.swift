import CosineCore

/// How an inverted-file (IVF) index is built: FAISS's `IndexIVFFlat` on cosine similarity.
///
/// The `lists` centroids are trained by spherical k-means (``SphericalKMeans``, `iterations`
/// rounds) on a seeded uniform sample of `trainingSampleSize` rows (nil: 256 per list, FAISS's
/// default `max_points_per_centroid`; 0: every row), started by k-means++ over a seeded sample of
/// `initializationSampleSize` rows (nil: 8 per list; FAISS starts from random rows); every row is
/// then stored in the list of its best centroid (largest cosine, equal scores: the lower list).
/// k-means++ costs one pass over its sample per centroid, so over all rows it would cost as much
/// as `lists` more rounds; 8 candidates per list keep it below one round.
///
/// ```swift
/// let index = try CosineIndexFile(corpus, quantization: .int8, invertedFile: .init(lists: 1024))
/// let r = try index.search(queries, k: 10, nprobe: 64)
/// ```
public struct InvertedFileOptions: Sendable, Equatable {
  /// The number of lists (centroids), 1 ≤ lists ≤ N. FAISS's rule of thumb: about 4·√N to 16·√N.
  public var lists: Int
  /// Rows k-means trains on: nil for 256 per list (all rows when N is smaller), 0 for all rows.
  public var trainingSampleSize: Int?
  /// Rows k-means++ draws the initial centroids from: nil for 8 per list, 0 for all rows.
  public var initializationSampleSize: Int?
  /// k-means rounds. Default 10, as FAISS's IVF training.
  public var iterations: Int
  /// Seed of the training sample and the k-means++ draws.
  public var seed: UInt64

  /// Options; see the type's documentation.
  public init(
    lists: Int, trainingSampleSize: Int? = nil, initializationSampleSize: Int? = nil, iterations: Int = 10,
    seed: UInt64 = 0
  ) {
    self.lists = lists
    self.trainingSampleSize = trainingSampleSize
    self.initializationSampleSize = initializationSampleSize
    self.iterations = iterations
    self.seed = seed
  }
}

extension CosineIndexFile {
  /// Prepares an inverted-file index: centroids trained on the rows, each row stored (normalized,
  /// packed, with the codes of `quantization`) in the list of its best centroid.
  ///
  /// ``search(_:k:nprobe:filter:)`` then scores only the rows of each query's `nprobe` best lists.
  ///
  /// - Parameters:
  ///   - corpus: [N, D] (a rank-1 tensor is one row), N ≥ `invertedFile.lists`, finite.
  ///   - ids: One distinct id per row; nil numbers the rows 0..<N.
  ///   - eps: Floor of each norm. Default 1e-8.
  ///   - quantization: `.none` or `.int8` (binary codes are for flat indexes).
  ///   - invertedFile: The lists and their training.
  /// - Throws: ``CosineError`` for repeated ids, fewer rows than lists, non-finite rows, binary
  ///   codes, or invalid options.
  /// - Complexity: k-means, O(iterations · S · lists · D) for S training rows, then
  ///   O(N · lists · D) to assign every row, on all cores; memory twice the `Float` corpus.
  public init(
    _ corpus: Tensor<Float>, ids: [Int]? = nil, eps: Double = 1e-8, quantization: CosineIndexQuantization = .none,
    invertedFile: InvertedFileOptions
  ) throws {
    let (c, ids64) = try Self.checkedCorpus(corpus, ids: ids, eps: eps)
    self.init(table: try IndexTable.invertedFile(c, ids: ids64, eps: eps, quantization: quantization, invertedFile))
  }

  /// ``init(_:ids:eps:quantization:invertedFile:)`` over the rows of several `.npy` files (shards
  /// of one corpus, in order), read as ``init(contentsOf:ids:eps:quantization:inspecting:)`` reads
  /// them (`inspect` sees each piece).
  ///
  /// - Throws: ``NPYError`` naming the file at fault; as the in-memory form otherwise.
  /// - Complexity: as the in-memory form; the rows are read once into memory.
  public init(
    contentsOf paths: [String], ids: [Int]? = nil, eps: Double = 1e-8, quantization: CosineIndexQuantization = .none,
    invertedFile: InvertedFileOptions,
    inspecting inspect: ((_ path: String, _ firstElement: Int, _ piece: UnsafeBufferPointer<Float>) throws -> Void)? =
      nil
  ) throws {
    let (n, d, read) = try Self.corpusReader(paths, inspecting: inspect)
    var rows = [Float](repeating: 0, count: n * d)
    try rows.withUnsafeMutableBufferPointer { try read(0..<n, $0) }
    let corpus = Tensor(uncheckedShape: [n, d], scalars: rows)
    try self.init(corpus, ids: ids, eps: eps, quantization: quantization, invertedFile: invertedFile)
  }

  /// The number of lists of an inverted-file index; nil for a flat index.
  public var listCount: Int? { table.ivf?.nlist }

  /// The live rows of each list of an inverted-file index (empty for a flat index).
  public var listSizes: [Int] {
    guard let ivf = table.ivf else { return [] }
    var sizes = [Int](repeating: 0, count: ivf.nlist)
    let selections = table.selections(nil)
    for (s, l) in table.segmentLists.enumerated() { sizes[l] += selections[s].passCount }
    return sizes
  }

  /// The coarse centroids of an inverted-file index, [lists, D] unit rows; nil for a flat index.
  public var centroids: Tensor<Float>? {
    table.ivf.map { Tensor(uncheckedShape: [$0.nlist, $0.dimension], scalars: $0.centroids) }
  }

  /// The best `min(k, P)` rows per query among the rows of its `nprobe` nearest lists (by
  /// centroid cosine) that pass `filter`; the result's indices are ids.
  ///
  /// Only the choice of lists is approximate: the scores are exact, and the rows of the probed
  /// lists rank as the exact search ranks them (equal scores by lower id). When a query's lists
  /// hold fewer than k passing rows, further lists are probed in centroid order until they do.
  /// `nprobe` ≥ the list count probes every list: the results equal ``search(_:k:filter:rescore:)-5744w``.
  /// On a flat index `nprobe` is ignored (the search is exact).
  ///
  /// - Parameters:
  ///   - queries: [Q, D] (a rank-1 tensor is one query).
  ///   - k: Results per query, ≥ 0.
  ///   - nprobe: Lists per query, ≥ 1. FAISS's default is 1; see ``tune(queries:k:nprobes:)``.
  ///   - filter: The rows that may be returned; nil: all.
  /// - Throws: ``CosineError/shapeMismatch(operation:_:_:)``, ``CosineError/invalidArgument(_:)``
  ///   for k < 0 or nprobe < 1.
  /// - Complexity: O(Q · lists · D) for the centroids, then O(Q · nprobe · N/lists · D) on all
  ///   cores: batches of queries read each list once per thread.
  public func search(_ queries: Tensor<Float>, k: Int, nprobe: Int, filter: CosineIndexFilter? = nil) throws
    -> CosineSearchResults<Float>
  {
    guard nprobe >= 1 else { throw CosineError.invalidArgument("nprobe must be >= 1, got \(nprobe)") }
    guard table.ivf != nil else { return try search(queries, k: k, filter: filter) }
    return try table.ivfSearch(try checkedQueries(queries, k: k), k: k, nprobe: nprobe, filter: filter)
  }
}
