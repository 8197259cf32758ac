import CosineCore

extension IndexTable {
  /// An inverted-file table of `corpus` ([N, D] `Float`) with `ids`.
  package static func invertedFile(
    _ corpus: Tensor<Float>, ids: [Int64], eps: Double, quantization: CosineIndexQuantization,
    _ options: InvertedFileOptions
  ) throws -> IndexTable {
    let (n, d) = (corpus.shape[0], corpus.shape[1])
    guard quantization != .binary else {
      throw CosineError.invalidArgument("an inverted-file index stores no binary codes: use --quantize none or int8")
    }
    guard options.lists >= 1, options.lists <= IndexFileFormat.maxLists else {
      throw CosineError.invalidArgument(
        "the number of lists must be between 1 and \(IndexFileFormat.maxLists), got \(options.lists)")
    }
    guard options.lists <= n else {
      throw CosineError.invalidArgument("\(options.lists) lists need at least \(options.lists) corpus rows, got \(n)")
    }
    guard d >= 1 else { throw CosineError.invalidShape("an inverted-file index needs rows of at least 1 element") }
    let order = ids.indices.sorted { ids[$0] < ids[$1] || (ids[$0] == ids[$1] && $0 < $1) }
    try CosineIndexFile.checkDistinct(ids, order: order)
    let initialization = options.initializationSampleSize.map { $0 == 0 ? n : $0 } ?? 8 * options.lists
    let fit = try SphericalKMeans(
      clusters: options.lists, iterations: options.iterations, seed: options.seed, eps: eps,
      initializationSampleSize: initialization, trainingSampleSize: options.trainingSampleSize
    ).fit(corpus)
    let quantizer = try CoarseQuantizer(centroids: fit.centroids.scalars, nlist: options.lists, dimension: d)
    let width = Float.preferredPanelWidth
    let added = try listSegments(
      corpus, ids: ids, labels: fit.labels, nlist: options.lists, eps: eps, width: width, quantization: quantization)
    return IndexTable(
      segments: added.map(\.segment), tombstones: [], quantization: quantization, dimension: d, width: width, eps: eps,
      ivf: quantizer, segmentLists: added.map(\.list))
  }

  /// One new segment per list that gains rows: the rows of `rows` ([n, D] `Float`) grouped by
  /// their `labels` (lists), each group in id order, normalized and packed with its codes.
  package static func listSegments(
    _ rows: Tensor<Float>, ids: [Int64], labels: [Int], nlist: Int, eps: Double, width: Int,
    quantization: CosineIndexQuantization
  ) throws -> [(list: Int, segment: IndexSegment)] {
    var members = [[Int]](repeating: [], count: nlist)
    for (r, l) in labels.enumerated() { members[l].append(r) }
    var added: [(list: Int, segment: IndexSegment)] = []
    for (l, m) in members.enumerated() where !m.isEmpty {
      let inOrder = m.sorted { ids[$0] < ids[$1] }
      let seg = try rows.gatheringRows(inOrder).scalars.withUnsafeBufferPointer { g in
        try segment(
          g.baseAddress, rows: inOrder.count, ids: inOrder.map { ids[$0] }, dimension: rows.shape[1], eps: eps,
          width: width, quantization: quantization)
      }
      added.append((l, seg))
    }
    return added
  }
}
