import CCosineKernels
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The task-local overrides: a forced kernel level or thread count holds on every thread the
/// kernels split work over, and never leaks into other tasks.
@Suite struct KernelOverridesTests {
  /// Rows whose dot product is 0 when summed the portable way (four accumulators, element i in
  /// accumulator i mod 4) and 1 in the SIMD kernels (eight or more double lanes): element 0
  /// contributes +2^60, element 4 contributes 1 and element 32 −2^60. The portable path adds the 1
  /// to 2^60, where it is lost; the SIMD paths keep it in a lane of its own.
  static func pathSensitiveRows(_ rows: Int) throws -> (Tensor<Float>, Tensor<Float>) {
    let n = 64
    var a = [Float](repeating: 0, count: rows * n)
    var b = a
    for r in 0..<rows {
      a[r * n] = 0x1p30
      b[r * n] = 0x1p30
      a[r * n + 4] = 1
      b[r * n + 4] = 1
      a[r * n + 32] = 0x1p30
      b[r * n + 32] = -0x1p30
    }
    return (try Tensor(shape: [rows, n], scalars: a), try Tensor(shape: [rows, n], scalars: b))
  }

  /// The portable kernel's dot product of a path-sensitive row, replayed in Swift in its order.
  static func portableDot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var acc = [Double](repeating: 0, count: 4)
    for (i, (x, y)) in zip(a, b).enumerated() { acc[i % 4] += Double(x) * Double(y) }
    return (acc[0] + acc[1]) + (acc[2] + acc[3])
  }

  @Test func portableLevelHoldsOnEveryWorkerOfARowKernel() throws {
    let rows = 10_000
    let (a, b) = try Self.pathSensitiveRows(rows)
    // Large enough that the row kernel splits over both threads.
    #expect(Parallel.chunkCount(rows, costPerItem: 64, grain: .streaming, maxChunks: 2) == 2)
    let first = a.scalars[0..<64]
    let second = b.scalars[0..<64]
    #expect(Self.portableDot(first, second) == 0, "the data must cancel on the portable path")
    let portable = try withThreadCount(2) { try withKernelLevel(0) { try cosineSimilarity(a, b) } }
    let zeroRows = portable.scalars.filter { $0 == 0 }.count
    #expect(zeroRows == rows, "\(rows - zeroRows) rows ran a SIMD kernel under the portable level")
    if ck_cpu_level() >= 2 {
      let automatic = try withThreadCount(2) { try cosineSimilarity(a, b) }
      #expect(automatic.scalars.allSatisfy { $0 > 0 }, "the SIMD kernels must keep the lone 1")
    }
  }

  @Test(arguments: [0, 1, 2])
  func levelReachesEveryWorkerOfThePackedKernels(level: Int) {
    let chunks = 8
    var seen = [(panel: Int64, query: Int64, count: Int)](repeating: (0, 0, 0), count: chunks)
    // Three threads: not the default on any machine this runs on with two or four cores.
    withThreadCount(3) {
      withKernelLevel(level) {
        seen.withUnsafeMutableBufferPointer { out in
          let o = SharedPointer(out.baseAddress!)
          Parallel.run(chunks, chunks: chunks) { c, _ in
            o.base[c] = (ck_panel_width_f32(), ck_query_width_f32(16), CosineKitThreads.effectiveCount)
          }
        }
      }
    }
    let atCaller = withKernelLevel(level) { (ck_panel_width_f32(), ck_query_width_f32(16)) }
    for (c, s) in seen.enumerated() {
      #expect(s.panel == atCaller.0 && s.query == atCaller.1, "chunk \(c) at level \(level)")
      #expect(s.count == 3, "chunk \(c) lost the thread count")
    }
    if level == 0 {
      #expect(atCaller.0 == 16 && atCaller.1 == 4, "portable panels are 16 wide, 4 queries tall")
    }
    if level == 2 && ck_cpu_level() >= 2 {
      #expect(atCaller.0 == 32, "AVX-512 panels are 32 wide")
    }
  }

  @Test func threadCountIsTaskLocal() async {
    let outside = CosineKitThreads.effectiveCount
    async let one = withThreadCount(1) { CosineKitThreads.effectiveCount }
    async let three = withThreadCount(3) { CosineKitThreads.effectiveCount }
    let nested = withThreadCount(5) { withThreadCount(4) { CosineKitThreads.effectiveCount } }
    #expect(await one == 1)
    #expect(await three == 3)
    #expect(nested == 4)
    #expect(withThreadCount(0) { CosineKitThreads.effectiveCount } == 1)
    #expect(CosineKitThreads.effectiveCount == outside)
  }

  @Test func levelIsRestoredAfterTheScope() {
    let inner = withKernelLevel(1) { withKernelLevel(0) { ck_query_width_f32(16) } }
    #expect(inner == 4)
    #expect(KernelOverrides.kernelLevel == nil)
    // Other suites may hold a level meanwhile: read the automatic choice in a scope of its own.
    let panel = withKernelLevel(2) { ck_panel_width_f32() }
    #expect(panel == (ck_cpu_level() >= 2 ? 32 : 16))
  }
}
