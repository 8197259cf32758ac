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
    var members = [[Int]](repeating: [], count: options.lists)
    for r in order { members[fit.labels[r]].append(r) }
    var segments: [IndexSegment] = []
    var lists: [Int] = []
    let width = Float.preferredPanelWidth
    try corpus.scalars.withUnsafeBufferPointer { x in
      var gathered = [Float]()
      for (l, m) in members.enumerated() where !m.isEmpty {
        gathered.removeAll(keepingCapacity: true)
        for r in m { gathered += UnsafeBufferPointer(rebasing: x[r * d..<(r + 1) * d]) }
        let seg = try gathered.withUnsafeBufferPointer { g in
          try segment(
            g.baseAddress, rows: m.count, ids: m.map { ids[$0] }, dimension: d, eps: eps, width: width,
            quantization: quantization)
        }
        segments.append(seg)
        lists.append(l)
      }
    }
    return IndexTable(
      segments: segments, tombstones: [], quantization: quantization, dimension: d, width: width, eps: eps,
      ivf: quantizer, segmentLists: lists)
  }
}
