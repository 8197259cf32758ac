import CCosineKernels
import CosineCore

/// Spherical k-means: FAISS's `Kmeans(d, k, spherical=True)`, seeded with spherical k-means++.
///
/// Rows are normalized (`x / max(‖x‖, eps)`). Each iteration assigns every row to the centroid of
/// largest cosine similarity (equal scores: the lower centroid index), records the objective, the
/// mean cosine of the rows to their assigned centroids, and moves each centroid to the
/// normalized sum of its rows. A cluster left empty is re-seeded with the farthest row (the row
/// of lowest cosine to its centroid, equal scores by lower index; several empty clusters take
/// the farthest rows in turn). After the last iteration the rows are assigned once more to the
/// final centroids: that gives ``SphericalKMeansResult/labels`` and
/// ``SphericalKMeansResult/objective``. An iteration that changes no assignment (with no cluster
/// empty) ends the run early: the update would reproduce the same centroids, so every later
/// iteration would repeat it and the result is that of the full count
/// (``SphericalKMeansResult/converged``).
///
/// **Training sample.** Like FAISS's `Kmeans` (which samples 256 rows per centroid), the
/// initialization and iterations run on a seeded uniform sample of 256·K rows when N is larger
/// (``trainingSampleSize``; 0 uses every row); every row is then assigned to the trained
/// centroids for the labels and the final objective.
///
/// Initialization is k-means++ on the cosine distance (spherical k-means++, Endo and Miyamoto
/// 2015) over the rows, or over a seeded uniform sample of 256·K of them when N is larger
/// (``initializationSampleSize``; FAISS trains on such a sample by default): a first row drawn uniformly, then each next centroid a row drawn with probability
/// proportional to `1 − max cos` to the centroids so far (that is `½‖x − c‖²` between unit
/// vectors: k-means++ itself on the sphere). The random numbers come from SplitMix64 seeded with
/// ``seed``, so a seed gives the same result on every machine and every thread count: scores are
/// bitwise those of the search kernels on any path, and sums run in a fixed order in `Double`.
///
/// The objective never decreases from one iteration to the next (up to rounding): assignment
/// maximizes it for fixed centroids, the normalized sum maximizes it for fixed assignments, and
/// re-seeding an empty cluster only adds a centroid.
///
/// ```swift
/// let result = try SphericalKMeans(clusters: 100, iterations: 20, seed: 0).fit(embeddings)
/// result.labels        // [N] cluster of each row
/// result.centroids     // [100, D] unit rows
/// result.objectives    // mean cosine per iteration, non-decreasing
/// ```
public struct SphericalKMeans: Sendable {
  /// The number of clusters K, 1 ≤ K ≤ N.
  public var clusters: Int
  /// Iterations (assignment and update), ≥ 0. Default 20, as FAISS.
  public var iterations: Int
  /// Seed of the k-means++ draws.
  public var seed: UInt64
  /// Norm floor of the rows, as in ``cosineSimilarity(_:_:axis:eps:)``.
  public var eps: Double
  /// How many rows k-means++ draws the initial centroids from: a seeded uniform sample of
  /// `min(N, max(K, this))` rows. Default (nil) 256·K, the training-set size FAISS's `Kmeans`
  /// uses by default (`max_points_per_centroid`); the iterations always use every row.
  public var initializationSampleSize: Int?
  /// How many rows the iterations train on: a seeded uniform sample of `max(K, this)` rows when N
  /// is larger, as FAISS's `Kmeans` does (`max_points_per_centroid` = 256, so its default is
  /// 256·K). Default (nil) 256·K; 0 trains on every row. The final assignment, the labels and the
  /// final ``SphericalKMeansResult/objective`` always cover every row;
  /// ``SphericalKMeansResult/objectives`` are those of the training rows.
  public var trainingSampleSize: Int?

  /// A configuration; see the type's documentation.
  public init(
    clusters: Int, iterations: Int = 20, seed: UInt64 = 0, eps: Double = 1e-8, initializationSampleSize: Int? = nil,
    trainingSampleSize: Int? = nil
  ) {
    self.clusters = clusters
    self.iterations = iterations
    self.seed = seed
    self.eps = eps
    self.initializationSampleSize = initializationSampleSize
    self.trainingSampleSize = trainingSampleSize
  }

  /// The rows the iterations train on, in row order, or nil for all `n` rows.
  package func trainingRows(_ n: Int) -> [Int]? {
    let size = trainingSampleSize ?? 256 * clusters
    guard size > 0 else { return nil }
    let count = Swift.max(clusters, size)
    guard count < n else { return nil }
    // Seeded apart from the k-means++ draws.
    var rng = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
    return rng.sortedSample(count, of: n)
  }

  /// Clusters the rows of `x`.
  ///
  /// - Parameters:
  ///   - x: Rows [N, D] (a rank-1 tensor is one row), N ≥ 1, D ≥ 1.
  ///   - progress: Called after each centroid chosen (stage `"initialization"`, of K) and each
  ///     iteration (stage `"iterations"`, of ``iterations``); it may throw to stop.
  /// - Returns: Centroids, labels and objectives (see ``SphericalKMeansResult``).
  /// - Throws: ``CosineError/invalidShape(_:)`` for an empty or non-matrix `x`;
  ///   ``CosineError/invalidArgument(_:)`` for K ≤ 0, K > N, negative iterations, an invalid eps,
  ///   or rows holding NaN or infinity; whatever `progress` throws.
  ///
  /// **Edge cases:** K = N puts every row in its own cluster (objective 1 for distinct nonzero
  /// rows). Duplicate rows: k-means++ never draws a row at distance 0 while another row is
  /// farther; when all remaining rows coincide with centroids, the lowest-index unchosen row is
  /// taken. A zero row scores 0 against every centroid and joins centroid 0. A cluster whose rows
  /// sum to zero keeps its centroid.
  /// - Complexity: O(iterations·N·K·D) multiply-adds on all cores for the assignments (GEMM
  ///   kernels, k-best of 1 per row), O(K·N·D) for the initialization, O(iterations·N·D) for the
  ///   updates; memory O(N·D + K·D).
  public func fit<T: TensorScalar>(_ x: Tensor<T>, progress: AnalysisProgressHandler? = nil) throws
    -> SphericalKMeansResult<T>
  {
    let (m, n, d) = try AnalysisArguments.matrix(x, "spherical k-means")
    guard clusters >= 1, clusters <= n else {
      throw CosineError.invalidArgument("the number of clusters must be between 1 and N = \(n), got \(clusters)")
    }
    guard iterations >= 0 else { throw CosineError.invalidArgument("iterations must be >= 0, got \(iterations)") }
    if let t = trainingSampleSize, t < 0 {
      throw CosineError.invalidArgument("the training sample size must be >= 0 (0: every row), got \(t)")
    }
    try checkEps(eps)
    if let bad = firstNonFiniteIndex(m) {
      throw CosineError.invalidArgument(
        "spherical k-means needs finite rows, got \(m.scalars[bad]) at row \(bad / d), column \(bad % d)")
    }
    // A scalar type outside the library runs the generic loops, packed in `Double`.
    guard let kernels = T.analysisKernels else { return try KMeansRun<T, Double>.sampledFit(self, m, n, d, progress) }
    return try fit(kernels, m, n, d, progress)
  }

  /// The run through `K`'s witness (concrete code of each scalar type in the library, whatever
  /// module calls it); `K` is `T`.
  private func fit<K: AnalysisKernelScalar, T: TensorScalar>(
    _: K.Type, _ m: Tensor<T>, _ n: Int, _ d: Int, _ progress: AnalysisProgressHandler?
  ) throws -> SphericalKMeansResult<T> {
    let r = try K.sphericalKMeans(self, m.retyped(K.self), n: n, d: d, progress: progress)
    return SphericalKMeansResult(
      centroids: r.centroids.retyped(T.self), labels: r.labels, objectives: r.objectives, objective: r.objective,
      converged: r.converged)
  }

  /// The async form of ``fit(_:progress:)-(_,AnalysisProgressHandler?)``: runs off the cooperative
  /// thread pool; cancelling the task stops it at its next progress report with `CancellationError`.
  public func fit<T: TensorScalar>(_ x: Tensor<T>, progress: (@Sendable (AnalysisProgress) -> Void)? = nil) async throws
    -> SphericalKMeansResult<T>
  {
    let config = self
    return try await AnalysisAsync.run(progress: progress) { report in try config.fit(x, progress: report) }
  }
}

/// The outcome of ``SphericalKMeans/fit(_:progress:)-(_,AnalysisProgressHandler?)``.
public struct SphericalKMeansResult<Scalar: TensorScalar>: Sendable {
  /// The final centroids [K, D], unit rows.
  public let centroids: Tensor<Scalar>
  /// The cluster of each row [N], assigned to ``centroids``.
  public let labels: [Int]
  /// The objective of each iteration: the mean cosine of the rows to the centroids they were
  /// assigned to in that iteration (before its update), non-decreasing.
  public let objectives: [Double]
  /// The mean cosine of the rows to their ``labels``' centroids (the final assignment).
  public let objective: Double
  /// Whether the run stopped early because an iteration changed no assignment (and left no
  /// cluster empty): every later iteration would have repeated it, so the result is the one the
  /// full ``SphericalKMeans/iterations`` give. ``objectives`` then ends with that iteration.
  public let converged: Bool
  /// The iterations run: ``objectives``'s count.
  public var iterationsRun: Int { objectives.count }
}

/// One run of spherical k-means with rows packed as `E`.
package struct KMeansRun<T: TensorScalar, E: AnalysisKernelScalar> where E.Working == E {
  package let config: SphericalKMeans
  package let x: Tensor<T>
  package let n: Int
  package let d: Int
  package let k: Int
  package let engine: NeighborEngine<E>
  /// 1 / max(‖x_r‖, eps) per row, in `Double`.
  package let inv: [Double]

  package init(_ config: SphericalKMeans, _ x: Tensor<T>, _ n: Int, _ d: Int) throws {
    self.config = config
    self.x = x
    self.n = n
    self.d = d
    k = config.clusters
    engine = try x.scalars.withUnsafeBufferPointer { p in
      try NeighborEngine<E>(p.baseAddress!, rows: n, dim: d, eps: config.eps, asCorpus: false)
    }
    let floor = NormFloor.clamp(config.eps)
    var sums = [Double](repeating: 0, count: n)
    x.scalars.withUnsafeBufferPointer { p in
      sums.withUnsafeMutableBufferPointer {
        if let kernels = T.kernels {
          kernels.sumsOfSquares(p.baseAddress!, rows: n, dim: d, into: $0.baseAddress!)
        } else {
          for r in 0..<n {
            var s = 0.0
            for j in 0..<d { s = s.addingProduct(Double(p[r * d + j]), Double(p[r * d + j])) }
            $0[r] = s
          }
        }
      }
    }
    inv = sums.map { 1 / floor.effectiveNorm(sumOfSquares: $0, scale: 1).m }
  }

  package func fit(_ progress: AnalysisProgressHandler?) throws -> SphericalKMeansResult<T> {
    var centroids = try initialize(progress)
    var objectives: [Double] = []
    var previous: [Int]?
    for it in 0..<config.iterations {
      let (labels, scores) = assign(centroids)
      objectives.append(mean(scores))
      // No assignment changed and no cluster is empty: the update would give these centroids
      // again, so every later iteration repeats this one. Stop; the result is the same.
      if labels == previous, Set(labels).count == k {
        try progress?(AnalysisProgress(stage: "iterations", completed: config.iterations, total: config.iterations))
        return result(centroids, labels, scores, objectives, converged: true)
      }
      update(&centroids, labels: labels, scores: scores)
      previous = labels
      try progress?(AnalysisProgress(stage: "iterations", completed: it + 1, total: config.iterations))
    }
    let (labels, scores) = assign(centroids)
    return result(centroids, labels, scores, objectives, converged: false)
  }

  private func result(
    _ centroids: [E], _ labels: [Int], _ scores: [Double], _ objectives: [Double], converged: Bool
  ) -> SphericalKMeansResult<T> {
    SphericalKMeansResult(
      centroids: Tensor(uncheckedShape: [k, d], scalars: centroids.map { T(Double($0)) }), labels: labels,
      objectives: objectives, objective: mean(scores), converged: converged)
  }

  /// The mean in row order.
  package func mean(_ s: [Double]) -> Double { s.reduce(0, +) / Double(s.count) }

  /// Row `r` normalized, in `Double`.
  package func unitRow(_ r: Int) -> [Double] {
    x.scalars.withUnsafeBufferPointer { p in (0..<d).map { Double(p[r * d + $0]) * inv[r] } }
  }

  /// The rows k-means++ draws from: all rows, or a seeded uniform sample in row order.
  package func initializationRows(_ rng: inout SplitMix64) -> [Int] {
    rng.sortedSample(Swift.max(k, config.initializationSampleSize ?? 256 * k), of: n)
  }

  /// Spherical k-means++ over ``initializationRows(_:)``.
  package func initialize(_ progress: AnalysisProgressHandler?) throws -> [E] {
    var rng = SplitMix64(seed: config.seed)
    let rows = initializationRows(&rng)
    let s = rows.count
    // The candidate rows, packed as a corpus: each new centroid's cosines come from one pass
    // of the GEMM kernel over them.
    let gathered = x.gatheringRows(rows).scalars
    let panels = try gathered.withUnsafeBufferPointer { p in
      try Packing.packed(p.baseAddress, rows: s, dim: d, eps: config.eps, width: E.preferredPanelWidth, as: E.self)
    }
    var centroids = [E](repeating: 0, count: k * d)
    var best = [Double](repeating: -.infinity, count: s)
    var chosen = [Bool](repeating: false, count: s)
    var next = Int(rng.nextDouble() * Double(s))
    for c in 0..<k {
      chosen[next] = true
      let u = unitRow(rows[next])
      for j in 0..<d { centroids[c * d + j] = E(u[j]) }
      try progress?(AnalysisProgress(stage: "initialization", completed: c + 1, total: k))
      if c == k - 1 { break }
      let dots = try gathered.withUnsafeBufferPointer { p in
        try candidateDots(panels, center: p.baseAddress! + next * d)
      }
      var total = 0.0
      for r in 0..<s {
        if dots[r] > best[r] { best[r] = dots[r] }
        total += Swift.max(0, 1 - best[r])
      }
      next = -1
      if total > 0 {
        let target = rng.nextDouble() * total
        var acc = 0.0
        var last = -1
        for r in 0..<s {
          let w = Swift.max(0, 1 - best[r])
          guard w > 0 else { continue }
          last = r
          acc += w
          if acc > target {
            next = r
            break
          }
        }
        if next < 0 { next = last }
      }
      if next < 0 || chosen[next] { next = chosen.firstIndex(of: false)! }
    }
    return centroids
  }

  /// The cosine of every candidate row with `center` (one row of `T`), by the GEMM kernel.
  package func candidateDots(_ panels: PackedPanels<E>, center: UnsafePointer<T>) throws -> [Double] {
    let s = panels.rows
    let a = try Packing.packed(center, rows: 1, dim: d, eps: config.eps, width: 1, as: E.self)
    var out = [E](repeating: 0, count: s)
    let bw = panels.width
    let dd = d
    out.withUnsafeMutableBufferPointer { o in
      let dest = SharedPointer(o.baseAddress!)
      Parallel.forEachChunk(panels.panelCount, costPerItem: bw * dd) { _, range in
        let r0 = range.lowerBound * bw
        let r1 = Swift.min(s, range.upperBound * bw)
        E.gemm(
          a.base, rows: 1, width: 1, panels.panel(range.lowerBound), width: bw, rows: r1 - r0, dim: dd,
          into: dest.base + r0, rowStride: s)
      }
    }
    return out.map { Double($0) }
  }

  /// The best centroid of every row and its score.
  package func assign(_ centroids: [E]) -> (labels: [Int], scores: [Double]) {
    let panels = centroids.withUnsafeBufferPointer { p in
      try! Packing.packed(p.baseAddress, rows: k, dim: d, eps: config.eps, width: E.preferredPanelWidth, as: E.self)
    }
    let (ids, scores) = engine.search(panels, k: 1) { _, _ in }
    return (ids, scores)
  }

  /// Moves each centroid to the normalized sum of its rows; re-seeds empty clusters.
  package func update(_ centroids: inout [E], labels: [Int], scores: [Double]) {
    // Rows of each cluster, in row order.
    var start = [Int](repeating: 0, count: k + 1)
    for l in labels { start[l + 1] += 1 }
    for c in 0..<k { start[c + 1] += start[c] }
    var fill = start
    var members = [Int64](repeating: 0, count: n)
    for (r, l) in labels.enumerated() {
      members[fill[l]] = Int64(r)
      fill[l] += 1
    }
    let dd = d
    centroids.withUnsafeMutableBufferPointer { cb in
      let cp = SharedPointer(cb.baseAddress!)
      x.scalars.withUnsafeBufferPointer { xb in
        let xp = SharedConstPointer(xb.baseAddress!)
        inv.withUnsafeBufferPointer { ib in
          let ip = SharedConstPointer(ib.baseAddress!)
          members.withUnsafeBufferPointer { mb in
            let mp = SharedConstPointer(mb.baseAddress!)
            Parallel.forEachChunk(k, costPerItem: Swift.max(1, n / k) * dd) { _, range in
              let s = UnsafeMutablePointer<Double>.allocate(capacity: dd)
              defer { s.deallocate() }
              for c in range where start[c + 1] > start[c] {
                s.initialize(repeating: 0, count: dd)
                Self.accumulate(xp.base, dd, mp.base + start[c], start[c + 1] - start[c], ip.base, s)
                var q = 0.0
                for j in 0..<dd { q += s[j] * s[j] }
                guard q > 0, q.isFinite else { continue }  // rows summing to zero: keep the centroid
                let norm = q.squareRoot()
                for j in 0..<dd { cp.base[c * dd + j] = E(s[j] / norm) }
              }
            }
          }
        }
      }
    }
    let empty = (0..<k).filter { start[$0 + 1] == start[$0] }
    guard !empty.isEmpty else { return }
    let farthest = (0..<n).sorted { a, b in scores[a] != scores[b] ? scores[a] < scores[b] : a < b }
    for (e, c) in empty.enumerated() where e < n {
      let u = unitRow(farthest[e])
      for j in 0..<d { centroids[c * d + j] = E(u[j]) }
    }
  }
}

extension KMeansRun {
  /// Trains on ``SphericalKMeans/trainingRows(_:)`` (all rows when it is nil), then assigns every
  /// row to the trained centroids.
  package static func sampledFit(
    _ config: SphericalKMeans, _ x: Tensor<T>, _ n: Int, _ d: Int, _ progress: AnalysisProgressHandler?
  ) throws -> SphericalKMeansResult<T> {
    guard let rows = config.trainingRows(n) else { return try KMeansRun(config, x, n, d).fit(progress) }
    let trained = try KMeansRun(config, x.gatheringRows(rows), rows.count, d).fit(progress)
    let (labels, scores) = try assignAll(config, x, n, d, trained.centroids.scalars.map { E(Double($0)) })
    return SphericalKMeansResult(
      centroids: trained.centroids, labels: labels, objectives: trained.objectives,
      objective: scores.reduce(0, +) / Double(n), converged: trained.converged)
  }

  /// The best centroid of every row of `x` and its score, as ``assign(_:)`` gives them, with the
  /// rows packed 8,192 at a time rather than all at once: the packed copy of every row (as large
  /// as the input) is never built, and each block's memory is reused by the next.
  package static func assignAll(
    _ config: SphericalKMeans, _ x: Tensor<T>, _ n: Int, _ d: Int, _ centroids: [E]
  ) throws -> (labels: [Int], scores: [Double]) {
    let k = centroids.count / Swift.max(1, d)
    let panels = try centroids.withUnsafeBufferPointer { p in
      try Packing.packed(p.baseAddress, rows: k, dim: d, eps: config.eps, width: E.preferredPanelWidth, as: E.self)
    }
    var labels: [Int] = []
    var scores: [Double] = []
    labels.reserveCapacity(n)
    scores.reserveCapacity(n)
    let block = 8_192
    try x.scalars.withUnsafeBufferPointer { p in
      for r0 in stride(from: 0, to: n, by: block) {
        let rows = Swift.min(block, n - r0)
        let engine = try NeighborEngine<E>(
          p.baseAddress! + r0 * d, rows: rows, dim: d, eps: config.eps, asCorpus: false)
        let (ids, s) = engine.search(panels, k: 1) { _, _ in }
        labels += ids
        scores += s
      }
    }
    return (labels, scores)
  }

  /// `sum += x[r] · scale[r]` for the listed rows, in order (the scalar type's
  /// `KernelScalar.accumulateRows`).
  package static func accumulate(
    _ x: UnsafePointer<T>, _ d: Int, _ rows: UnsafePointer<Int64>, _ count: Int, _ scale: UnsafePointer<Double>,
    _ sum: UnsafeMutablePointer<Double>
  ) {
    if let k = T.analysisKernels {
      k.accumulateRows(x, dim: d, rows: rows, count: count, scale: scale, into: sum)
    } else {
      PortableKernels.accumulateRows(x, d, rows, count, scale, sum)
    }
  }
}

extension AnalysisKernelScalar {
  package static func sphericalKMeans(
    _ config: SphericalKMeans, _ rows: Tensor<Self>, n: Int, d: Int, progress: AnalysisProgressHandler?
  ) throws -> SphericalKMeansResult<Self> {
    try KMeansRun<Self, Working>.sampledFit(config, rows, n, d, progress)
  }
}

extension SphericalKMeansResult: CustomStringConvertible {
  /// `SphericalKMeansResult<Float>: 100 clusters of 384, 5000 rows, objective 0.53, 12 iterations (converged)`.
  public var description: String {
    "SphericalKMeansResult<\(Scalar.self)>: \(centroids.shape.first ?? 0) clusters of \(centroids.shape.last ?? 0), "
      + "\(labels.count) rows, objective \(objective), \(iterationsRun) iterations\(converged ? " (converged)" : "")"
  }
}
