import CBenchSupport
import CosineKit
import Dispatch

/// `memory_read`: the machine's attainable DRAM read bandwidth, measured in the same run as the
/// other benchmarks: every thread sums its contiguous share of a 1 GiB Float buffer with eight
/// independent vector accumulators (AVX-512 adds where available). Memory-bound benchmarks
/// report their speed as a fraction of this figure.
enum MemoryProbe {
  static let count = 1 << 28  // 1 GiB of Float

  static let benchmark = Benchmark(
    name: "memory_read", summary: "read bandwidth: parallel sum of a 1 GiB buffer (the limit)",
    bytes: Double(count * 4), flops: 0
  ) {
    let data = BenchRandom.floats(count, seed: 7)
    return {
      let threads = CosineKitThreads.effectiveCount
      let total = UncheckedSendable(UnsafeMutablePointer<Float>.allocate(capacity: threads))
      defer { total.value.deallocate() }
      data.withUnsafeBufferPointer { buf in
        let base = UncheckedSendable(buf.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
          let lo = count * t / threads
          let hi = count * (t + 1) / threads
          total.value[t] = bench_sum_f32(base.value + lo, hi - lo)
        }
      }
      blackHole(total.value[0])
    }
  }
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ x: T) {}
