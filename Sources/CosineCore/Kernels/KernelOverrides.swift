import CCosineKernels

/// Overrides of the kernels' thread count and instruction set, scoped to a task.
///
/// Both are task-local values: they apply to the code run inside `withValue` (and to the child
/// tasks it creates), never to work that other tasks run at the same time. The thread splitter
/// (``Parallel``) reads them on the calling task and binds them again on every worker thread it
/// starts, where it also applies the kernel level to the C kernels before running the worker's
/// range (and restores the automatic choice afterwards).
package enum KernelOverrides {
  /// The number of threads kernels use inside the current task; `nil` defers to
  /// ``CosineKitThreads/count``.
  @TaskLocal package static var threadCount: Int?

  /// The highest instruction set kernels may use inside the current task: 0 portable C, 1 AVX2 +
  /// FMA, 2 AVX-512 (the automatic choice; every level is clamped to what the CPU has). `nil` is
  /// the automatic choice.
  @TaskLocal package static var kernelLevel: Int?

  /// A recorder of the thread splitter's runs, for tests; `nil` records nothing.
  @TaskLocal package static var probe: ParallelProbe?

  /// The overrides of the current task, to bind again on another thread.
  package struct Snapshot: Sendable {
    package let threadCount: Int?
    package let kernelLevel: Int?
    package let probe: ParallelProbe?

    /// Whether nothing is overridden (then nothing needs binding).
    package var isEmpty: Bool { threadCount == nil && kernelLevel == nil && probe == nil }

    /// Runs `body` with these overrides bound on the calling thread and the kernel level applied
    /// to its C kernels; afterwards the thread gets the automatic level back. For threads that
    /// start with no override (dispatch workers); the thread that took the snapshot already has it.
    package func bind<R>(_ body: () throws -> R) rethrows -> R {
      if isEmpty { return try body() }
      return try KernelOverrides.$threadCount.withValue(threadCount) {
        try KernelOverrides.$kernelLevel.withValue(kernelLevel) {
          try KernelOverrides.$probe.withValue(probe) {
            KernelOverrides.applyLevelToCurrentThread(kernelLevel)
            defer { KernelOverrides.applyLevelToCurrentThread(nil) }
            return try body()
          }
        }
      }
    }
  }

  /// The overrides in effect on the calling task.
  package static var current: Snapshot { Snapshot(threadCount: threadCount, kernelLevel: kernelLevel, probe: probe) }

  /// Sets the instruction-set cap of the C kernels for the calling thread: `nil` is the automatic
  /// choice, otherwise 0 portable, 1 AVX2, 2 AVX-512 (clamped to what the CPU has). The one place
  /// that calls the C hook, `ck_set_thread_level_limit`, which holds for the calling thread only
  /// and covers every kernel (row kernels, packed GEMM, losses, quantized search).
  package static func applyLevelToCurrentThread(_ level: Int?) {
    ck_set_thread_level_limit(Int32(level ?? 2))
  }
}

/// Runs `body` with CosineKit's kernels splitting their work over at most `count` threads: the
/// scoped form of PyTorch's `torch.set_num_threads(count)`.
///
/// Unlike setting ``CosineKitThreads/count`` (process-wide, like `torch.set_num_threads`), the
/// count holds only for the work `body` does and the tasks it creates, and is undone when `body`
/// returns or throws, so concurrent callers, libraries and tests keep their own counts.
/// ``CosineKitThreads/effectiveCount`` reads it back (PyTorch's `torch.get_num_threads()`).
///
/// ```swift
/// let scores = try withThreadCount(1) { try cosineSimilarityMatrix(queries, corpus) }
/// let hits = try await withThreadCount(2) { try await index.search(queries, k: 10) }
/// ```
///
/// - Parameters:
///   - count: The most threads a kernel may use. Values below 1 are read as 1 (where
///     `torch.set_num_threads(0)` throws); values above the number of cores are allowed and
///     oversubscribe them, as in PyTorch.
///   - body: The work to run with the count.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws.
/// - Complexity: O(1) besides `body`.
///
/// **Edge cases**:
/// - Nested calls: the innermost count applies, and the outer one is back after it.
/// - Child tasks (`async let`, task groups) and unstructured `Task { }` inherit the count; so do
///   CosineKit's own `async` functions, which run their kernels on threads of their own (the
///   `async` search, matrix, index-file and analysis functions carry the count there).
///   `Task.detached` and threads or dispatch queues you start yourself do not inherit it (task-local
///   values never cross them): call `withThreadCount` inside them.
/// - It caps each kernel call, not the process: two tasks under `withThreadCount(2)` running at
///   the same time may use four threads between them.
/// - Small inputs run on the calling thread whatever the count (a thread is only added per
///   2¹⁸–2²⁰ element operations of work).
/// - The count changes speed, never results: each output element is computed by one thread in a
///   fixed order.
public func withThreadCount<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
  try KernelOverrides.$threadCount.withValue(max(1, count), operation: body)
}

/// The `async` form of `withThreadCount(_:_:)`: `body` may suspend, and the count holds for
/// everything it awaits.
///
/// - Parameters:
///   - count: The most threads a kernel may use; values below 1 are read as 1.
///   - isolation: The actor `body` runs on; the caller's, by default.
///   - body: The work to run with the count.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws.
///
/// **Edge cases**: as the synchronous `withThreadCount(_:_:)`.
public func withThreadCount<R>(
  _ count: Int, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
) async rethrows -> R {
  try await KernelOverrides.$threadCount.withValue(max(1, count), operation: body, isolation: isolation)
}

/// Runs `body` with the kernels capped at instruction-set `level` (0 portable C, 1 AVX2 + FMA,
/// 2 AVX-512 / automatic; clamped to what the CPU has), on the calling thread and on every thread
/// the kernels split work over. For tests of each path: every level computes the same results
/// (bitwise for the packed GEMM, within rounding for the row kernels).
///
/// Synchronous only: the cap is a property of the threads that run `body`, so `body` must not
/// suspend and resume elsewhere.
///
/// **Edge cases**: nested calls: the innermost level applies, and the outer one is restored.
package func withKernelLevel<R>(_ level: Int, _ body: () throws -> R) rethrows -> R {
  let level = min(2, max(0, level))
  let outer = KernelOverrides.kernelLevel
  KernelOverrides.applyLevelToCurrentThread(level)
  defer { KernelOverrides.applyLevelToCurrentThread(outer) }
  return try KernelOverrides.$kernelLevel.withValue(level, operation: body)
}
