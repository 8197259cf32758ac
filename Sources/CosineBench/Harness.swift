import CosineCore
import Dispatch

/// One benchmark: a name, what it moves or computes, and a factory that prepares its data
/// (untimed) and returns the work to time.
struct Benchmark: Sendable {
  /// The fixed name used by `--filter` and in JSON output.
  let name: String
  /// One line saying what is measured.
  let summary: String
  /// Bytes read and written by one run (memory-bound benchmarks), or 0.
  let bytes: Double
  /// Floating-point operations of one run (compute-bound benchmarks), or 0.
  let flops: Double
  /// Prepares inputs outside the timed region and returns the timed body.
  let prepare: @Sendable () throws -> () throws -> Void
}

/// The timing of one benchmark: every run's seconds, and the median.
struct Measurement {
  let benchmark: Benchmark
  let seconds: [Double]

  var median: Double {
    let s = seconds.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }
  var minimum: Double { seconds.min() ?? 0 }
  var gigabytesPerSecond: Double? { benchmark.bytes > 0 ? benchmark.bytes / median / 1e9 : nil }
  var gigaflopsPerSecond: Double? { benchmark.flops > 0 ? benchmark.flops / median / 1e9 : nil }
}

/// Runs `body` once untimed (warm-up: page faults, caches), then `runs` times, timing each.
func measure(_ benchmark: Benchmark, runs: Int) throws -> Measurement {
  let body = try benchmark.prepare()
  try body()
  var seconds: [Double] = []
  let clock = ContinuousClock()
  for _ in 0..<runs {
    let t = try clock.measure { try body() }
    seconds.append(Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18)
  }
  return Measurement(benchmark: benchmark, seconds: seconds)
}

/// A fast seeded generator for benchmark data (SplitMix64), uniform in [−1, 1).
struct BenchRandom {
  var generator: SplitMix64
  init(seed: UInt64) { generator = SplitMix64(seed: seed) }
  mutating func next() -> Float { Float(generator.next() >> 40) * 0x1p-23 - 1 }

  /// `count` values, generated in parallel chunks (each chunk seeded from `seed` and its index).
  static func floats(_ count: Int, seed: UInt64) -> [Float] {
    let chunk = 1 << 20
    let chunks = (count + chunk - 1) / chunk
    return [Float](unsafeUninitializedCapacity: count) { buf, n in
      let base = UncheckedSendable(buf.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        var g = BenchRandom(seed: seed &* 1_000_003 &+ UInt64(c))
        for i in (c * chunk)..<min(count, (c + 1) * chunk) { base.value[i] = g.next() }
      }
      n = count
    }
  }
}

struct UncheckedSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
