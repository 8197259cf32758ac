import CosineKit
import Dispatch

/// `memory_read`: the machine's attainable DRAM read bandwidth, measured in the same run as the
/// other benchmarks: every thread sums its contiguous share of a 1 GiB Float buffer with
/// independent vector accumulators (plain SIMD adds, which need no target flags). Memory-bound
/// benchmarks report their speed as a fraction of this figure.
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
        let base = UncheckedSendable(UnsafeRawPointer(buf.baseAddress!))
        DispatchQueue.concurrentPerform(iterations: threads) { t in
          let lo = (count / 64) * t / threads * 64, hi = (count / 64) * (t + 1) / threads * 64
          var s0 = SIMD16<Float>(), s1 = s0, s2 = s0, s3 = s0
          var i = lo
          while i < hi {
            let p = base.value + i * 4
            s0 += p.loadUnaligned(as: SIMD16<Float>.self)
            s1 += p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            s2 += p.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
            s3 += p.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
            i &+= 64
          }
          let s = (s0 + s1) + (s2 + s3)
          total.value[t] = (s.lowHalf + s.highHalf).sum()
        }
      }
      blackHole(total.value[0])
    }
  }
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ x: T) {}
