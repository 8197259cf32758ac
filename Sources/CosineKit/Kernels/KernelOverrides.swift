import CCosineGEMM
import CCosineKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Overrides of the kernels' thread count and instruction set, scoped to a task.
///
/// Both are task-local values: they apply to the code run inside `withValue` (and to the child
/// tasks it creates), never to work that other tasks run at the same time. The thread splitter
/// (``Parallel``) reads them on the calling task and binds them again on every worker thread it
/// starts, where it also applies the kernel level to the C kernels before running the worker's
/// range (and restores the automatic choice afterwards).
enum KernelOverrides {
  /// The number of threads kernels use inside the current task; `nil` defers to
  /// ``CosineKitThreads/count``.
  @TaskLocal static var threadCount: Int?

  /// The highest instruction set kernels may use inside the current task: 0 portable C, 1 AVX2 +
  /// FMA, 2 AVX-512 (the automatic choice; every level is clamped to what the CPU has). `nil` is
  /// the automatic choice.
  @TaskLocal static var kernelLevel: Int?

  /// The overrides of the current task, to bind again on another thread.
  struct Snapshot: Sendable {
    let threadCount: Int?
    let kernelLevel: Int?

    /// Whether nothing is overridden (then nothing needs binding).
    var isEmpty: Bool { threadCount == nil && kernelLevel == nil }

    /// Runs `body` with these overrides bound on the calling thread and the kernel level applied
    /// to its C kernels; afterwards the thread gets the automatic level back. For threads that
    /// start with no override (dispatch workers); the thread that took the snapshot already has it.
    func bind<R>(_ body: () throws -> R) rethrows -> R {
      if isEmpty { return try body() }
      return try KernelOverrides.$threadCount.withValue(threadCount) {
        try KernelOverrides.$kernelLevel.withValue(kernelLevel) {
          KernelOverrides.applyLevelToCurrentThread(kernelLevel)
          defer { KernelOverrides.applyLevelToCurrentThread(nil) }
          return try body()
        }
      }
    }
  }

  /// The overrides in effect on the calling task.
  static var current: Snapshot { Snapshot(threadCount: threadCount, kernelLevel: kernelLevel) }

  /// Sets the instruction-set cap of the C kernels for the calling thread: `nil` is the automatic
  /// choice, otherwise 0 portable, 1 AVX2, 2 AVX-512 (clamped to what the CPU has). The one place
  /// that calls the C test hooks.
  ///
  /// The row kernels' hook is per-thread. The packed GEMM's hook (`cg_set_level_limit`) is
  /// process-wide: ``withKernelLevel(_:_:)`` sets it once for the whole scope, under a lock, so
  /// it is not touched here.
  static func applyLevelToCurrentThread(_ level: Int?) {
    // ck_set_simd_enabled: 0 portable, 1 automatic, 2 capped at AVX2.
    switch level {
    case nil: ck_set_simd_enabled(1)
    case let l? where l <= 0: ck_set_simd_enabled(0)
    case let l? where l == 1: ck_set_simd_enabled(2)
    default: ck_set_simd_enabled(1)
    }
  }

  /// Serializes the scopes that cap the process-wide GEMM level, so one scope never lifts the
  /// cap while another still relies on it. Work outside those scopes may run at the capped level
  /// meanwhile, which is harmless: every GEMM level computes bitwise the same results.
  fileprivate static let processLevelLock = RecursiveMutex()
}

/// Runs `body` with the kernels using `count` threads (at least 1) inside the current task only.
///
/// Unlike setting ``CosineKitThreads/count``, which changes every caller in the process, the
/// override is task-local: concurrent tasks keep their own count, and work the kernels split
/// over threads inherits it.
///
/// - Parameters:
///   - count: Threads to use; values below 1 are read as 1.
///   - body: The work to run with the override.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws.
///
/// **Edge cases**: nested calls: the innermost count applies. Work started with `Task.detached`
/// or on threads of its own does not inherit the override.
func withThreadCount<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
  try KernelOverrides.$threadCount.withValue(max(1, count), operation: body)
}

/// The `async` form of ``withThreadCount(_:_:)``.
func withThreadCount<R>(_ count: Int, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R)
  async rethrows -> R
{
  try await KernelOverrides.$threadCount.withValue(max(1, count), operation: body, isolation: isolation)
}

/// Runs `body` with the kernels capped at instruction-set `level` (0 portable C, 1 AVX2 + FMA,
/// 2 AVX-512 / automatic; clamped to what the CPU has), on the calling thread and on every thread
/// the kernels split work over. For tests of each path: every level computes the same results
/// (bitwise for the packed GEMM, within rounding for the row kernels).
///
/// Synchronous only: while the process-wide GEMM cap is in force, a lock is held (see
/// ``KernelOverrides/applyLevelToCurrentThread(_:)``).
///
/// **Edge cases**: nested calls: the innermost level applies, and the outer one is restored.
func withKernelLevel<R>(_ level: Int, _ body: () throws -> R) rethrows -> R {
  let level = min(2, max(0, level))
  let outer = KernelOverrides.kernelLevel
  KernelOverrides.processLevelLock.lock()
  defer { KernelOverrides.processLevelLock.unlock() }
  cg_set_level_limit(Int32(level))
  KernelOverrides.applyLevelToCurrentThread(level)
  defer {
    cg_set_level_limit(Int32(outer ?? 2))
    KernelOverrides.applyLevelToCurrentThread(outer)
  }
  return try KernelOverrides.$kernelLevel.withValue(level, operation: body)
}

/// A POSIX recursive mutex (nested ``withKernelLevel(_:_:)`` scopes lock it again).
private final class RecursiveMutex: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init() {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    var attr = pthread_mutexattr_t()
    pthread_mutexattr_init(&attr)
    pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
    pthread_mutex_init(mutex, &attr)
    pthread_mutexattr_destroy(&attr)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  func lock() { pthread_mutex_lock(mutex) }
  func unlock() { pthread_mutex_unlock(mutex) }
}
