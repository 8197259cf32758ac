#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value guarded by a POSIX mutex, readable and writable from any thread.
///
/// Used instead of the Synchronization module's `Atomic` (macOS 15, iOS 18) so the package keeps
/// the platform minimums its other code needs.
package final class LockedValue<Value: Sendable>: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private var value: Value

  package init(_ value: Value) {
    self.value = value
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// The current value.
  package func load() -> Value {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return value
  }

  /// Replaces the value.
  package func store(_ newValue: Value) {
    pthread_mutex_lock(mutex)
    value = newValue
    pthread_mutex_unlock(mutex)
  }

  /// Runs `body` with the value, which it may change, while holding the lock.
  package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value)
  }
}
