import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Community detection against a direct port of sentence-transformers' algorithm.
@Suite struct CommunityDetectionTests {
  /// sentence-transformers 6 `community_detection` (CPU path), line by line, on the full score
  /// matrix; torch's top-k order taken as descending score, then lower index.
  func port(_ x: Tensor<Float>, threshold: Double, minSize: Int) -> [[Int]] {
    let n = x.shape[0]
    if n < minSize { return [] }
    let s = AnalysisData.scores(x)
    let t = Double(Float(threshold))
    var extracted: [(Int, [Int])] = []
    for i in 0..<n {
      // top_k_values[i][-1] >= threshold: at least minSize scores reach the threshold.
      let close = (0..<n).filter { s[i * n + $0] >= t }
      if close.count >= minSize {
        extracted.append((i, close.sorted { s[i * n + $0] != s[i * n + $1] ? s[i * n + $0] > s[i * n + $1] : $0 < $1 }))
      }
    }
    extracted = extracted.enumerated().sorted { a, b in
      a.element.1.count != b.element.1.count ? a.element.1.count > b.element.1.count : a.offset < b.offset
    }.map(\.element)
    var used = [Bool](repeating: false, count: n)
    var unique: [[Int]] = []
    for (center, community) in extracted {
      if used[center] { continue }
      let free = community.filter { !used[$0] }
      if free.count >= minSize {
        let u = [center] + free.filter { $0 != center }
        unique.append(u)
        for r in u { used[r] = true }
      }
    }
    return unique.enumerated().sorted { a, b in
      a.element.count != b.element.count ? a.element.count > b.element.count : a.offset < b.offset
    }.map(\.element)
  }

  @Test(arguments: [(0.75, 10), (0.9, 5), (0.5, 3), (0.98, 2), (-1.0, 1)])
  func equalsThePythonAlgorithm(threshold: Double, minSize: Int) throws {
    let x = AnalysisData.clustered(260, 12, centers: 7, noise: 0.35, seed: 30)
    let got = try communityDetection(x, threshold: threshold, minCommunitySize: minSize)
    #expect(got == port(x, threshold: threshold, minSize: minSize))
  }

  @Test func duplicatesZeroRowsAndOverlaps() throws {
    var x = AnalysisData.withDuplicates(120, 6, seed: 31)
    // Two overlapping groups: rows 40-49 near one direction, 45-59 near a direction between it
    // and another, so candidates overlap and the order rules decide.
    for r in 40..<60 {
      for j in 0..<6 {
        let base: Float = j == 0 ? 1 : (j == 1 && r >= 45 ? 0.6 : 0)
        x.scalars[r * 6 + j] = base + 0.01 * Float((r * 7 + j * 3) % 11)
      }
    }
    for (t, m) in [(0.9, 3), (0.95, 4), (0.8, 10), (0.999, 2)] {
      let got = try communityDetection(x, threshold: t, minCommunitySize: m)
      #expect(got == port(x, threshold: t, minSize: m), "threshold \(t), min size \(m)")
      // Disjoint, centers first, every community at least the minimum size.
      let all = got.flatMap { $0 }
      #expect(Set(all).count == all.count)
      #expect(got.allSatisfy { $0.count >= m })
      for i in 1..<Swift.max(1, got.count) { #expect(got[i - 1].count >= got[i].count) }
    }
    let dup = try communityDetection(x, threshold: 0.999, minCommunitySize: 3)
    #expect(dup.contains([3, 10, 11]))
  }

  @Test func labelsSmallInputsAndErrors() throws {
    let x = AnalysisData.clustered(50, 4, centers: 2, noise: 0.05, seed: 32)
    let c = try communityDetection(x, threshold: 0.9, minCommunitySize: 5)
    let l = communityLabels(c, rowCount: 50)
    for (i, m) in c.enumerated() { #expect(m.allSatisfy { l[$0] == i }) }
    #expect(l.filter { $0 >= 0 }.count == c.reduce(0) { $0 + $1.count })
    #expect(try communityDetection(x, threshold: 0.9, minCommunitySize: 51).isEmpty)
    #expect(try communityDetection(Tensor<Float>([1, 2]), threshold: 0.5, minCommunitySize: 1) == [[0]])
    #expect(throws: CosineError.self) { try communityDetection(x, threshold: 1.01) }
    #expect(throws: CosineError.self) { try communityDetection(x, threshold: 0.5, minCommunitySize: 0) }
    #expect(throws: CosineError.self) { try communityDetection(try Tensor<Float>(shape: [0, 4], scalars: [])) }
  }

  @Test func largeInputsSpanSeveralBlocks() throws {
    // More rows than one column block (4096) and one strip.
    let x = AnalysisData.clustered(4500, 8, centers: 30, noise: 0.15, seed: 33)
    let got = try communityDetection(x, threshold: 0.9, minCommunitySize: 40)
    let ported = port(x, threshold: 0.9, minSize: 40)
    #expect(got == ported)
    #expect(!got.isEmpty)
  }
}
