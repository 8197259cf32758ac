#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A record of what the thread splitter (``Parallel/run(_:chunks:_:)``) did inside a task: how
/// many ranges each run used and which threads ran them. Bound as ``KernelOverrides/probe`` and
/// carried with the other overrides, so tests can observe the thread count that work started
/// from a task (including the `async` wrappers' own threads) really used.
package final class ParallelProbe: Sendable {
  /// What was recorded so far.
  package struct Record: Sendable {
    /// The number of ranges of each run, in the order the runs started.
    package var chunkCounts: [Int] = []
    /// The threads that ran at least one range.
    package var threads: Set<UInt> = []
  }

  private let state = LockedValue(Record())

  /// An empty record.
  package init() {}

  /// The record so far.
  package var record: Record { state.load() }

  /// Notes a run over `chunks` ranges.
  package func recordRun(chunks: Int) {
    state.withLock { $0.chunkCounts.append(chunks) }
  }

  /// Notes that the calling thread ran a range.
  package func recordThread() {
    #if canImport(Darwin)
      let id = UInt(bitPattern: pthread_self())
    #else
      let id = UInt(pthread_self())
    #endif
    _ = state.withLock { $0.threads.insert(id) }
  }
}
