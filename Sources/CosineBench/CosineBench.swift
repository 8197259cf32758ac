import ArgumentParser
import CosineKit

/// `cosine-bench`: times CosineKit's kernels on fixed shapes and reports medians.
@main
struct CosineBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cosine-bench",
    abstract: "Benchmarks of CosineKit's kernels: median seconds, GB/s or GFLOP/s, fraction of the limit.",
    discussion: """
      Inputs are generated (seeded) outside the timed region; each benchmark runs once to warm \
      up and then --runs times. Memory-bound results are compared with memory_read, the read \
      bandwidth measured in the same run.
      """
  )

  @Flag(help: "One JSON object per line: {\"name\": ..., \"seconds\": ...} plus details.") var json = false
  @Option(help: "Run only these benchmarks (repeat the option or separate names with commas).") var filter: [String] =
    []
  @Option(help: "Timed runs per benchmark (the median is reported).") var runs = 7
  @Option(help: "Threads for the kernels (0: one per core).") var threads = 0
  @Flag(help: "List the benchmarks and exit.") var list = false

  static var all: [Benchmark] {
    [MemoryProbe.benchmark] + RowwiseBenchmarks.all + SearchBenchmarks.all + BatchLossBenchmarks.all
      + AnalysisBenchmarks.all + MatrixBenchmarks.all + EncoderBenchmarks.all
  }

  func validate() throws {
    guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    let names = Set(Self.all.map(\.name))
    for n in wanted where !names.contains(n) {
      throw ValidationError("unknown benchmark '\(n)'; known: \(Self.all.map(\.name).joined(separator: ", "))")
    }
  }

  var wanted: [String] { filter.flatMap { $0.split(separator: ",").map(String.init) } }

  func run() throws {
    if list {
      for b in Self.all { print("\(b.name)\t\(b.summary)") }
      return
    }
    CosineKitThreads.count = threads
    let selected = wanted.isEmpty ? Self.all : Self.all.filter { wanted.contains($0.name) }
    var limit: Double?
    if !json {
      print("threads: \(CosineKitThreads.effectiveCount), runs: \(runs) (median reported)")
      print(pad("benchmark", 24) + pad("seconds", 12) + pad("rate", 16) + pad("of limit", 10) + "what")
    }
    for b in selected {
      let m: Measurement
      do {
        m = try measure(b, runs: runs)
      } catch let skipped as EncoderBenchmarks.Skipped {
        print(skipped.description)
        continue
      }
      if b.name == MemoryProbe.benchmark.name { limit = m.gigabytesPerSecond }
      if json {
        var fields = [
          "\"name\": \"\(b.name)\"", "\"seconds\": \(m.median)", "\"min_seconds\": \(m.minimum)",
          "\"runs\": \(runs)", "\"threads\": \(CosineKitThreads.effectiveCount)",
        ]
        if let g = m.gigabytesPerSecond { fields.append("\"gb_per_s\": \(g)") }
        if let f = m.gigaflopsPerSecond { fields.append("\"gflop_per_s\": \(f)") }
        print("{" + fields.joined(separator: ", ") + "}")
      } else {
        let rate =
          m.gigabytesPerSecond.map { fmt($0) + " GB/s" } ?? m.gigaflopsPerSecond.map { fmt($0) + " GFLOP/s" } ?? ""
        let frac = (m.gigabytesPerSecond.flatMap { g in limit.map { fmt(100 * g / $0, 0) + " %" } }) ?? ""
        print(pad(b.name, 24) + pad(fmt(m.median, 4), 12) + pad(rate, 16) + pad(frac, 10) + b.summary)
      }
    }
  }

  func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
  func fmt(_ x: Double, _ digits: Int = 1) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded() / p
    return digits == 0 ? String(Int(r)) : String(r)
  }
}
