import CCosineKernels
import Foundation
import Testing

// The one kernel level of the C kernels (ck_cpu.h): a per-thread limit on the CPU's level, and
// the statuses the packed kernels return instead of returning silently.

/// A result handed from a thread to the one waiting for it (written before the semaphore signals).
private final class ThreadResult<R>: @unchecked Sendable { var value: R? }

/// Runs `body` on a new thread and returns its result.
private func onNewThread<R: Sendable>(_ body: @escaping @Sendable () -> R) -> R {
  let box = ThreadResult<R>()
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    box.value = body()
    done.signal()
  }
  thread.start()
  done.wait()
  return box.value!
}

/// Runs `body` with the calling thread's level limit at `level`, then restores it.
private func atLevel<R>(_ level: Int32, _ body: () throws -> R) rethrows -> R {
  let before = ck_thread_level_limit()
  defer { ck_set_thread_level_limit(before) }
  ck_set_thread_level_limit(level)
  return try body()
}

@Suite struct KernelLevelTests {
  @Test func everyThreadStartsAutomatic() {
    let (limit, level) = onNewThread { (ck_thread_level_limit(), ck_level()) }
    #expect(limit == 2)
    #expect(level == ck_cpu_level())
    #expect((0...2).contains(ck_cpu_level()))
  }

  @Test func limitIsClampedAndCapsTheLevel() {
    for (asked, kept) in [(-7, 0), (0, 0), (1, 1), (2, 2), (9, 2)] as [(Int32, Int32)] {
      atLevel(asked) {
        #expect(ck_thread_level_limit() == kept, "asked \(asked)")
        #expect(ck_level() == min(kept, ck_cpu_level()), "asked \(asked)")
      }
    }
  }

  /// A limit set on one thread is invisible to another thread, and vice versa.
  @Test func limitAppliesToTheCallingThreadOnly() {
    atLevel(0) {
      let other = onNewThread { (ck_thread_level_limit(), ck_level()) }
      #expect(other.0 == 2 && other.1 == ck_cpu_level())
      #expect(ck_level() == 0)
      let afterOther = onNewThread { () -> Int32 in
        ck_set_thread_level_limit(1)
        return ck_thread_level_limit()
      }
      #expect(afterOther == 1)
      #expect(ck_thread_level_limit() == 0)
    }
  }

  /// The packed kernels follow the limit too: new data gets the narrow panels below level 2.
  @Test func packedKernelsFollowTheThreadLevel() {
    for level: Int32 in 0...2 {
      atLevel(level) {
        let wide = ck_level() == 2
        #expect(ck_panel_width_f32() == (wide ? 32 : 16), "level \(level)")
        #expect(ck_panel_width_f64() == (wide ? 16 : 8), "level \(level)")
      }
    }
  }

  /// A panel or query width no kernel reads is reported, and nothing is written.
  @Test func unknownWidthsAreReportedNotIgnored() {
    let d = 3
    let a = [Float](repeating: 0.5, count: 16 * d)
    let b = [Float](repeating: 0.25, count: 64 * d)
    for (aw, bw) in [(4, 24), (4, 0), (0, 16), (17, 16), (4, 64)] as [(Int64, Int64)] {
      var c = [Float](repeating: .nan, count: 4 * 8)
      let status = ck_gemm_f32(a, 4, aw, b, bw, 8, Int64(d), &c, 8)
      #expect(Int(status) == CK_ERROR_PANEL_WIDTH, "aw \(aw) bw \(bw)")
      #expect(c.allSatisfy { $0.isNaN }, "aw \(aw) bw \(bw): output written")
    }
    var c = [Float](repeating: .nan, count: 4 * 8)
    #expect(Int(ck_gemm_f32(a, 4, 4, b, 16, 8, Int64(d), &c, 8)) == CK_OK)
    #expect(c.allSatisfy { abs($0 - Float(d) * 0.125) <= 1e-6 })

    var scores = [Float](repeating: 0, count: 4)
    var ids = [Int64](repeating: -1, count: 4)
    var sizes = [Int64](repeating: 0, count: 4)
    scores.withUnsafeMutableBufferPointer { s in
      ids.withUnsafeMutableBufferPointer { i in
        sizes.withUnsafeMutableBufferPointer { z in
          let h = ck_heaps_f32(scores: s.baseAddress, ids: i.baseAddress, sizes: z.baseAddress, k: 1, capacity: 1)
          #expect(Int(ck_search_f32(a, 4, 4, b, 24, 0, 8, 8, Int64(d), 0, h)) == CK_ERROR_PANEL_WIDTH)
          let hi = [UInt16](repeating: 0, count: 64 * d)
          var flagged = [Int64](repeating: 0, count: 4)
          var maxima = [Float](repeating: 0, count: 16)
          let n = ck_prefilter_f32(a, 4, 4, hi, 24, 0, 8, 8, Int64(d), 0.1, h, &flagged, &maxima)
          #expect(n == -Int64(CK_ERROR_PANEL_WIDTH))
          #expect(Int(ck_search_split_f32(a, 4, 4, hi, hi, 24, 0, 8, 8, Int64(d), h)) == CK_ERROR_PANEL_WIDTH)
        }
      }
    }
    #expect(sizes == [0, 0, 0, 0] && ids == [-1, -1, -1, -1], "heaps touched")
  }
}
