import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Spherical k-means: invariants, reproducibility, and a float64 re-run of the same algorithm.
@Suite(.serialized) struct SphericalKMeansTests {
  /// Unit rows in Double.
  func unitRows(_ x: Tensor<Float>) -> [[Double]] {
    let d = x.shape[1]
    return (0..<x.shape[0]).map { r in
      let v = (0..<d).map { Double(x.scalars[r * d + $0]) }
      let m = Swift.max(Reference.norm(v), 1e-8)
      return v.map { $0 / m }
    }
  }

  @Test func objectiveNeverDecreasesAndResultIsConsistent() throws {
    let x = AnalysisData.clustered(600, 16, centers: 8, noise: 0.6, seed: 20)
    let r = try SphericalKMeans(clusters: 8, iterations: 15, seed: 3).fit(x)
    #expect(r.objectives.count == 15 || (r.converged && r.objectives.count < 15))
    for i in 1..<r.objectives.count { #expect(r.objectives[i] >= r.objectives[i - 1] - 1e-6) }
    #expect(r.objective >= r.objectives.last! - 1e-6)
    let u = unitRows(x)
    let c = (0..<8).map { k in (0..<16).map { Double(r.centroids.scalars[k * 16 + $0]) } }
    for k in 0..<8 { #expect(abs(Reference.norm(c[k]) - 1) < 1e-6) }
    // Labels are the best centroid (up to near-ties) and the objective their mean cosine.
    var total = 0.0
    for (row, l) in r.labels.enumerated() {
      let scores = c.map { Reference.dot(u[row], $0) }
      #expect(scores[l] >= scores.max()! - 1e-6)
      total += scores[l]
    }
    #expect(abs(total / 600 - r.objective) < 1e-6)
  }

  /// Above 256·K rows the iterations train on a seeded sample (FAISS's default); every row is
  /// then assigned to the trained centroids. The sample equals training on those rows alone.
  @Test func trainingSampleAsFAISSThenEveryRowAssigned() throws {
    let x = AnalysisData.clustered(1200, 8, centers: 4, noise: 0.7, seed: 40)
    let config = SphericalKMeans(clusters: 4, iterations: 10, seed: 2, trainingSampleSize: 300)
    let rows = try #require(config.trainingRows(1200))
    #expect(rows.count == 300 && rows == rows.sorted() && Set(rows).count == 300)
    #expect(SphericalKMeans(clusters: 4).trainingRows(1024) == nil)  // 256·K = 1024 rows: all
    #expect(SphericalKMeans(clusters: 4).trainingRows(1025)?.count == 1024)
    #expect(SphericalKMeans(clusters: 4, trainingSampleSize: 0).trainingRows(100_000) == nil)
    #expect(SphericalKMeans(clusters: 40, trainingSampleSize: 3).trainingRows(100)?.count == 40)  // at least K
    let r = try config.fit(x)
    // Training on the sample alone gives the same centroids and objectives.
    let sample = try Tensor<Float>(
      shape: [300, 8], scalars: rows.flatMap { r in (0..<8).map { x.scalars[r * 8 + $0] } })
    let alone = try SphericalKMeans(clusters: 4, iterations: 10, seed: 2, trainingSampleSize: 0).fit(sample)
    #expect(r.centroids.scalars.map(\.bitPattern) == alone.centroids.scalars.map(\.bitPattern))
    #expect(r.objectives == alone.objectives)
    // Every row gets the best centroid, and the objective is over every row.
    #expect(r.labels.count == 1200)
    let u = unitRows(x)
    let c = (0..<4).map { k in (0..<8).map { Double(r.centroids.scalars[k * 8 + $0]) } }
    var total = 0.0
    for (row, l) in r.labels.enumerated() {
      let scores = c.map { Reference.dot(u[row], $0) }
      #expect(scores[l] >= scores.max()! - 1e-6)
      total += scores[l]
    }
    #expect(abs(total / 1200 - r.objective) < 1e-6)
    #expect(throws: CosineError.self) { try SphericalKMeans(clusters: 4, trainingSampleSize: -1).fit(x) }
  }

  /// A run that stops because an iteration changed no assignment gives what running every
  /// iteration gives: the same centroids, labels and objective as a run capped one iteration
  /// before the stop (which cannot detect it), and as a run allowed many more.
  @Test func earlyStopGivesTheFullRunsResult() throws {
    let x = AnalysisData.clustered(800, 12, centers: 6, noise: 0.4, seed: 31)
    let long = try SphericalKMeans(clusters: 6, iterations: 200, seed: 1).fit(x)
    #expect(long.converged && long.iterationsRun < 200, "\(long.iterationsRun) iterations")
    let n = long.iterationsRun
    #expect(n >= 2)
    let capped = try SphericalKMeans(clusters: 6, iterations: n - 1, seed: 1).fit(x)
    #expect(!capped.converged && capped.iterationsRun == n - 1)
    let longer = try SphericalKMeans(clusters: 6, iterations: 400, seed: 1).fit(x)
    for other in [capped, longer] {
      #expect(other.labels == long.labels)
      #expect(other.centroids.scalars.map(\.bitPattern) == long.centroids.scalars.map(\.bitPattern))
      #expect(other.objective.bitPattern == long.objective.bitPattern)
    }
    #expect(Array(long.objectives.prefix(n - 1)) == capped.objectives)
    // The stopping iteration's objective is the final one: its centroids are the final centroids.
    #expect(long.objectives[n - 1].bitPattern == long.objective.bitPattern)
  }

  @Test func centroidsAreNormalizedMeansOfTheirRows() throws {
    let x = AnalysisData.clustered(300, 6, centers: 4, noise: 0.3, seed: 21)
    // Two runs, the second one iteration longer: its last update moved the centroids of the
    // first run's final assignment... compare instead with one update from the returned labels.
    let r = try SphericalKMeans(clusters: 4, iterations: 1, seed: 1).fit(x)
    let r0 = try SphericalKMeans(clusters: 4, iterations: 0, seed: 1).fit(x)
    let u = unitRows(x)
    // After one iteration, centroid k is the normalized sum of the rows assigned to r0's centroids.
    for k in 0..<4 {
      var s = [Double](repeating: 0, count: 6)
      for (row, l) in r0.labels.enumerated() where l == k { for j in 0..<6 { s[j] += u[row][j] } }
      let m = Reference.norm(s)
      guard m > 0 else { continue }
      for j in 0..<6 { #expect(abs(Double(r.centroids.scalars[k * 6 + j]) - s[j] / m) < 1e-6) }
    }
    #expect(r0.objectives.isEmpty)
  }

  @Test func seededResultIsTheSameOnEveryThreadCount() throws {
    let x = AnalysisData.clustered(3000, 40, centers: 12, noise: 1.0, seed: 22)
    let fit = { (threads: Int) in
      try withThreadCount(threads) { try SphericalKMeans(clusters: 12, iterations: 8, seed: 7).fit(x) }
    }
    let a = try fit(1)
    let b = try fit(2)
    let c = try fit(3)
    #expect(a.labels == b.labels && a.labels == c.labels)
    #expect(a.centroids.scalars == b.centroids.scalars && a.centroids.scalars == c.centroids.scalars)
    #expect(a.objectives == b.objectives && a.objectives == c.objectives)
    let other = try SphericalKMeans(clusters: 12, iterations: 8, seed: 8).fit(x)
    #expect(other.centroids.scalars != a.centroids.scalars)
  }

  @Test func kEqualsNAndDuplicatesAndEmptyClusters() throws {
    // K = N distinct rows: every row its own centroid.
    let x = randomTensor([12, 5], seed: 23, as: Float.self)
    let r = try SphericalKMeans(clusters: 12, iterations: 3).fit(x)
    #expect(Set(r.labels).count == 12)
    #expect(abs(r.objective - 1) < 1e-6)
    // Only two distinct directions but K = 4: k-means++ takes both, then unchosen rows; empty
    // clusters are re-seeded; nothing crashes and the objective is 1.
    let y = try Tensor<Float>(rows: [[1, 0], [2, 0], [0, 1], [0, 3], [1, 0], [0, 2]])
    let s = try SphericalKMeans(clusters: 4, iterations: 5, seed: 0).fit(y)
    #expect(abs(s.objective - 1) < 1e-6)
    #expect(s.labels[0] == s.labels[1] || abs(s.objective - 1) < 1e-6)
    // A zero row scores 0 and does not break anything.
    let z = try Tensor<Float>(rows: [[0, 0], [1, 0], [0, 1]])
    let t = try SphericalKMeans(clusters: 2, iterations: 3).fit(z)
    #expect(t.objectives.allSatisfy { $0.isFinite })
  }

  @Test func badArgumentsAreErrors() throws {
    let x = randomTensor([5, 3], seed: 24, as: Float.self)
    #expect(throws: CosineError.self) { try SphericalKMeans(clusters: 6).fit(x) }
    #expect(throws: CosineError.self) { try SphericalKMeans(clusters: 0).fit(x) }
    #expect(throws: CosineError.self) { try SphericalKMeans(clusters: 2, iterations: -1).fit(x) }
    #expect(throws: CosineError.self) {
      try SphericalKMeans(clusters: 1).fit(try Tensor<Float>(shape: [0, 3], scalars: []))
    }
    var bad = x
    bad.scalars[4] = .nan
    #expect(throws: CosineError.self) { try SphericalKMeans(clusters: 2).fit(bad) }
  }

  /// The same algorithm written plainly in Double (k-means++ with the same random numbers,
  /// assignment, normalized sums, farthest-row re-seeding) gives the same labels on data without
  /// near-ties, and objectives equal to float rounding.
  @Test func equalsAFloat64Reference() throws {
    let n = 400
    let d = 10
    let k = 6
    let x = AnalysisData.clustered(n, d, centers: 6, noise: 0.5, seed: 25)
    let r = try SphericalKMeans(clusters: k, iterations: 6, seed: 11).fit(x)
    let u = unitRows(x)
    var rng = SplitMix64(seed: 11)
    var cents: [[Double]] = []
    var best = [Double](repeating: -.infinity, count: n)
    var next = Int(rng.nextDouble() * Double(n))
    var chosen = Set<Int>()
    while true {
      chosen.insert(next)
      cents.append(u[next])
      if cents.count == k { break }
      var total = 0.0
      for row in 0..<n {
        best[row] = Swift.max(best[row], Reference.dot(u[row], cents.last!))
        total += Swift.max(0, 1 - best[row])
      }
      let target = rng.nextDouble() * total
      var acc = 0.0
      next = -1
      for row in 0..<n where Swift.max(0, 1 - best[row]) > 0 {
        acc += Swift.max(0, 1 - best[row])
        if acc > target {
          next = row
          break
        }
      }
      #expect(next >= 0 && !chosen.contains(next))
    }
    var objectives: [Double] = []
    var labels: [Int] = []
    for _ in 0..<7 {
      labels = (0..<n).map { row in
        let s = cents.map { Reference.dot(u[row], $0) }
        return s.firstIndex(of: s.max()!)!
      }
      objectives.append((0..<n).map { Reference.dot(u[$0], cents[labels[$0]]) }.reduce(0, +) / Double(n))
      for c in 0..<k {
        var s = [Double](repeating: 0, count: d)
        for row in 0..<n where labels[row] == c { for j in 0..<d { s[j] += u[row][j] } }
        let m = Reference.norm(s)
        if m > 0 { cents[c] = s.map { $0 / m } }
      }
    }
    #expect(r.labels == labels)
    for (a, b) in zip(r.objectives, objectives) { #expect(abs(a - b) < 1e-6) }
    #expect(abs(r.objective - objectives[6]) < 1e-6)
  }

  func syncFit(_ config: SphericalKMeans, _ x: Tensor<Float>) throws -> (SphericalKMeansResult<Float>, [String]) {
    var stages: [String] = []
    let r = try config.fit(x, progress: { stages.append($0.stage) })
    return (r, stages)
  }

  @Test func asyncFormAndProgress() async throws {
    let x = AnalysisData.clustered(200, 8, centers: 3, noise: 0.4, seed: 26)
    let config = SphericalKMeans(clusters: 3, iterations: 4, seed: 2)
    let a: SphericalKMeansResult<Float> = try await config.fit(x, progress: nil)
    let (b, stages) = try syncFit(config, x)
    #expect(a.labels == b.labels && a.objectives == b.objectives)
    // One report per iteration run; a run that converges reports the whole count at its stop.
    #expect(Array(stages.prefix(3)) == ["initialization", "initialization", "initialization"])
    #expect(stages.dropFirst(3).allSatisfy { $0 == "iterations" })
    #expect(stages.count - 3 == b.iterationsRun)
  }
}
