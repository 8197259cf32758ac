import Dispatch

/// Runs long kernels for the `async` APIs without blocking Swift's cooperative thread pool.
///
/// The work runs on a serial dispatch queue of its own (whose thread is not one of the pool's),
/// and the calling task is suspended until it ends. Task cancellation sets a flag that the work
/// reads between its pieces (`isCancelled`), so a cancelled call ends after the current piece
/// with `CancellationError`.
package enum OffPool {
  package static func run<R: Sendable>(
    _ label: String, _ body: @escaping @Sendable (_ isCancelled: @escaping @Sendable () -> Bool) throws -> R
  ) async throws -> R {
    try Task.checkCancellation()
    let cancelled = LockedValue(false)
    let overrides = KernelOverrides.current
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, Error>) in
        DispatchQueue(label: "CosineKit." + label).async {
          continuation.resume(with: Result { try overrides.bind { try body { cancelled.load() } } })
        }
      }
    } onCancel: {
      cancelled.store(true)
    }
  }
}
