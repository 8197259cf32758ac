import CosineCore
import CosineSearch

/// Communities of close rows: sentence-transformers' `util.community_detection`.
///
/// A row is a candidate center when at least `minCommunitySize` rows (itself included) have
/// cosine similarity ≥ `threshold` with it; its community is those rows, by descending score
/// (equal scores: lower index first). Candidates are taken largest community first (equal
/// sizes: lower center index first). A candidate whose center already belongs to an earlier
/// community is skipped; otherwise its rows not yet in a community form a community if there are
/// still at least `minCommunitySize` of them, listed as the center first and then those rows
/// (the center not repeated) in score order. The communities are returned largest first (equal
/// sizes: in the order they were formed). This is the algorithm of sentence-transformers 6
/// (CPU path), with its float32 comparison `score ≥ threshold`.
///
/// ```swift
/// let communities = try communityDetection(embeddings, threshold: 0.75, minCommunitySize: 10)
/// let labels = communityLabels(communities, rowCount: embeddings.shape[0])   // −1: in none
/// ```
///
/// Scores are those of ``CosineIndex/search(_:k:)-3rgor`` (`a·b / (max(‖a‖, eps)·max(‖b‖, eps))`,
/// clamped), computed by the GEMM kernels a block of rows × a block of columns at a time on all
/// cores: the N × N matrix is never built.
///
/// - Parameters:
///   - x: Rows [N, D] (a rank-1 tensor is one row), N ≥ 1, D ≥ 1.
///   - threshold: The smallest score inside a community, in [−1, 1]; default 0.75.
///   - minCommunitySize: The smallest community, ≥ 1; default 10.
///   - eps: Norm floor, as in ``cosineSimilarity(_:_:axis:eps:)``.
///   - progress: Called after each block of rows scanned (stage `"candidates"`); it may throw.
/// - Returns: The communities, each a list of row indices, center first.
/// - Throws: ``CosineError/invalidShape(_:)`` for an empty or non-matrix `x`;
///   ``CosineError/invalidArgument(_:)`` for a threshold outside [−1, 1], `minCommunitySize < 1`
///   or an invalid eps; whatever `progress` throws.
///
/// **Edge cases:** fewer than `minCommunitySize` rows give no community. A row's own score
/// counts (about 1 for a nonzero row; 0 for a zero row, which then joins only with threshold ≤ 0).
/// Rows holding NaN score NaN, which is never ≥ the threshold.
/// - Complexity: O(N²·D) multiply-adds on all cores; memory O(N·D) plus the candidate
///   communities (as sentence-transformers keeps them), which is O(N²) only when most rows are
///   within the threshold of most rows.
public func communityDetection<T: TensorScalar>(
  _ x: Tensor<T>, threshold: Double = 0.75, minCommunitySize: Int = 10, eps: Double = 1e-8,
  progress: AnalysisProgressHandler? = nil
) throws -> [[Int]] {
  let (m, n, d) = try AnalysisArguments.matrix(x, "community detection")
  try AnalysisArguments.threshold(threshold)
  guard minCommunitySize >= 1 else {
    throw CosineError.invalidArgument("the minimum community size must be >= 1, got \(minCommunitySize)")
  }
  try checkEps(eps)
  guard n >= minCommunitySize else { return [] }
  let candidates: [(center: Int, members: [Int])] = try m.scalars.withUnsafeBufferPointer { p in
    try communityCandidates(
      p.baseAddress!, rows: n, dim: d, eps: eps, threshold: threshold, minSize: minCommunitySize, progress,
      working: T.packedAnalysisKernels)
  }
  return CommunityScan<Float>.greedy(candidates, rows: n, minSize: minCommunitySize)
}

/// The async form of
/// ``communityDetection(_:threshold:minCommunitySize:eps:progress:)-(_,_,_,_,AnalysisProgressHandler?)``:
/// runs off the cooperative thread pool; cancelling the task stops it at its next progress report
/// with `CancellationError`.
public func communityDetection<T: TensorScalar>(
  _ x: Tensor<T>, threshold: Double = 0.75, minCommunitySize: Int = 10, eps: Double = 1e-8,
  progress: (@Sendable (AnalysisProgress) -> Void)? = nil
) async throws -> [[Int]] {
  try await AnalysisAsync.run(progress: progress) { report in
    try communityDetection(x, threshold: threshold, minCommunitySize: minCommunitySize, eps: eps, progress: report)
  }
}

/// The label of every row: the position of its community in `communities`, or −1.
///
/// - Parameters:
///   - communities: Lists of row indices, as
///     ``communityDetection(_:threshold:minCommunitySize:eps:progress:)-(_,_,_,_,AnalysisProgressHandler?)``
///     returns them (disjoint).
///   - rowCount: N.
/// - Returns: [N] labels; a row in several lists gets the first.
///
/// **Edge cases:** indices outside 0..<N are ignored.
/// - Complexity: O(N + Σ sizes).
public func communityLabels(_ communities: [[Int]], rowCount: Int) -> [Int] {
  var labels = [Int](repeating: -1, count: Swift.max(0, rowCount))
  for (c, members) in communities.enumerated() {
    for r in members where r >= 0 && r < rowCount && labels[r] < 0 { labels[r] = c }
  }
  return labels
}

/// The candidate communities of rows `x` scanned in the working type `E` (the threshold rounded
/// to `E`, as the scores are).
package func communityCandidates<T: TensorScalar, K: AnalysisKernelScalar>(
  _ x: UnsafePointer<T>, rows n: Int, dim d: Int, eps: Double, threshold: Double, minSize: Int,
  _ progress: AnalysisProgressHandler?, working _: K.Type
) throws -> [(center: Int, members: [Int])] {
  typealias E = K.Working
  let e = try NeighborEngine<E>(x, rows: n, dim: d, eps: eps, asCorpus: true)
  return try CommunityScan(engine: e, threshold: Double(E(threshold)), minSize: minSize).candidates(progress)
}

/// The candidate scan (blocks of rows × blocks of columns through the GEMM kernel) and the
/// greedy selection.
package struct CommunityScan<E: AnalysisKernelScalar> where E.Working == E {
  package let engine: NeighborEngine<E>
  package let threshold: Double
  package let minSize: Int

  /// Every candidate center (row order) with its rows ≥ threshold, by descending score.
  package func candidates(_ progress: AnalysisProgressHandler?) throws -> [(center: Int, members: [Int])] {
    let n = engine.rows
    let d = engine.dim
    let aw = engine.queryWidth
    let corpus = engine.corpus!
    let bw = corpus.width
    let t = E(threshold)
    // Strips of about 256 rows; column blocks of about 4096 rows (a 4 MiB score buffer).
    let stripTiles = Swift.max(1, 256 / aw)
    let strips = (engine.queryTiles + stripTiles - 1) / stripTiles
    let colRows = Swift.min(corpus.panelCount * bw, Swift.max(bw, (4096 / bw) * bw))
    let found = UnsafeMutablePointer<[Int]?>.allocate(capacity: n)
    found.initialize(repeating: nil, count: n)
    defer {
      found.deinitialize(count: n)
      found.deallocate()
    }
    let out = SharedPointer(found)
    let perStrip = stripTiles * aw * n * Swift.max(1, d)
    let blockStrips = Swift.max(CosineKitThreads.effectiveCount, (1 << 31) / Swift.max(1, perStrip))
    var s0 = 0
    while s0 < strips {
      let s1 = Swift.min(strips, s0 + blockStrips)
      Parallel.forEachChunk(s1 - s0, costPerItem: perStrip) { _, range in
        let buffer = UnsafeMutablePointer<E>.allocate(capacity: stripTiles * aw * colRows)
        defer { buffer.deallocate() }
        for s in range {
          let t0 = (s0 + s) * stripTiles
          let r0 = t0 * aw
          let r1 = Swift.min(n, (t0 + stripTiles) * aw)
          var lists = [[(Int, E)]](repeating: [], count: r1 - r0)
          var c0 = 0
          while c0 < n {
            let cn = Swift.min(colRows, n - c0)
            E.gemm(
              engine.queries.panel(t0), rows: r1 - r0, width: aw, corpus.panel(c0 / bw), width: bw, rows: cn, dim: d,
              into: buffer, rowStride: colRows)
            for i in 0..<(r1 - r0) {
              let row = buffer + i * colRows
              for j in 0..<cn where row[j] >= t { lists[i].append((c0 + j, row[j])) }
            }
            c0 += cn
          }
          for i in 0..<(r1 - r0) where lists[i].count >= minSize {
            let sorted = lists[i].sorted { a, b in a.1 != b.1 ? a.1 > b.1 : a.0 < b.0 }
            out.base[r0 + i] = sorted.map(\.0)
          }
        }
      }
      try progress?(
        AnalysisProgress(stage: "candidates", completed: Swift.min(n, s1 * stripTiles * aw), total: n))
      s0 = s1
    }
    return (0..<n).compactMap { r in found[r].map { (r, $0) } }
  }

  /// sentence-transformers' selection: largest candidates first (stable), skipping used
  /// centers, keeping the unused rows when at least `minSize` remain; largest first (stable).
  package static func greedy(_ candidates: [(center: Int, members: [Int])], rows n: Int, minSize: Int) -> [[Int]] {
    let order = candidates.indices.sorted { a, b in
      candidates[a].members.count != candidates[b].members.count
        ? candidates[a].members.count > candidates[b].members.count : a < b
    }
    var used = [Bool](repeating: false, count: n)
    var communities: [[Int]] = []
    for i in order {
      let (center, members) = candidates[i]
      if used[center] { continue }
      let free = members.filter { !used[$0] }
      guard free.count >= minSize else { continue }
      let community = [center] + free.filter { $0 != center }
      for r in community { used[r] = true }
      communities.append(community)
    }
    let sorted = communities.indices.sorted { a, b in
      communities[a].count != communities[b].count ? communities[a].count > communities[b].count : a < b
    }
    return sorted.map { communities[$0] }
  }
}
