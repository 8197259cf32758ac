import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thread settings for CosineKit's kernels.
///
/// Kernels split their rows into contiguous ranges and run them on
/// `DispatchQueue.concurrentPerform`. By default every core is used. ``count`` sets the number
/// for the whole process (PyTorch's `torch.set_num_threads`); `withThreadCount(_:_:)` sets it for
/// one scope and the tasks it starts only.
public enum CosineKitThreads {
  private static let configured = LockedValue<Int>(0)

  /// The number of threads kernels use; `0` (the default) means one per active processor.
  /// Values are clamped to at least 1 when read through ``effectiveCount``.
  public static var count: Int {
    get { configured.load() }
    set { configured.store(max(0, newValue)) }
  }

  /// The number of threads a kernel will actually use: the calling task's override if it has
  /// one, else ``count``, else one per active processor.
  public static var effectiveCount: Int {
    if let t = KernelOverrides.threadCount { return max(1, t) }
    let c = count
    return c > 0 ? c : max(1, ProcessInfoLite.activeProcessorCount)
  }
}

/// A raw pointer that may cross into `concurrentPerform` workers. Each worker touches a
/// disjoint range, which is what makes sharing it sound.
@usableFromInline
package struct SharedPointer<T>: @unchecked Sendable {
  @usableFromInline package let base: UnsafeMutablePointer<T>
  @usableFromInline package init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

@usableFromInline
package struct SharedConstPointer<T>: @unchecked Sendable {
  @usableFromInline package let base: UnsafePointer<T>
  @usableFromInline package init(_ base: UnsafePointer<T>) { self.base = base }
}

/// The thread splitter of every kernel: contiguous balanced ranges on
/// `DispatchQueue.concurrentPerform`, up to ``CosineKitThreads/effectiveCount`` of them.
///
/// Every worker thread runs its range with the calling task's ``KernelOverrides`` (thread count
/// and kernel level) bound and applied, so a forced path or thread count holds on all of them.
package enum Parallel {
  /// The least work (in element operations) that pays for one more thread.
  package enum Grain: Int {
    /// Streaming row kernels (one pass over memory per row): 2^18 operations.
    case streaming = 262_144
    /// Blocked matrix and search work (packing, GEMM tiles, heaps): 2^20 operations.
    case blocked = 1_048_576
  }

  /// How many ranges ``forEachChunk(_:costPerItem:grain:maxChunks:_:)`` would use for `count`
  /// items of `costPerItem` element operations each: at most the thread count, `count` and
  /// `maxChunks`, and one per `grain` of work; 0 when `count` is 0.
  package static func chunkCount(_ count: Int, costPerItem: Int, grain: Grain = .blocked, maxChunks: Int = .max) -> Int
  {
    guard count > 0 else { return 0 }
    let total = count.multipliedReportingOverflow(by: Swift.max(1, costPerItem))
    let work = total.overflow ? Int.max : total.partialValue
    return Swift.max(
      1, Swift.min(CosineKitThreads.effectiveCount, count, maxChunks, work / grain.rawValue))
  }

  /// Calls `body(chunk, range)` on up to ``CosineKitThreads/effectiveCount`` disjoint contiguous
  /// ranges covering `0..<count`, concurrently; `chunk` numbers the ranges from 0 in order. Below
  /// one `grain` of work in total (`count · costPerItem`) it runs one range inline. Returns the
  /// number of ranges used.
  @discardableResult
  package static func forEachChunk(
    _ count: Int, costPerItem: Int, grain: Grain = .blocked, maxChunks: Int = .max,
    _ body: (Int, Range<Int>) -> Void
  ) -> Int {
    let chunks = chunkCount(count, costPerItem: costPerItem, grain: grain, maxChunks: maxChunks)
    run(count, chunks: chunks, body)
    return chunks
  }

  /// ``forEachChunk(_:costPerItem:grain:maxChunks:_:)`` for streaming row kernels, without the
  /// chunk number.
  package static func forEachRange(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
    forEachChunk(count, costPerItem: costPerItem, grain: .streaming) { _, range in body(range) }
  }

  /// Calls `body(chunk, range)` on exactly `chunks` balanced ranges of `0..<count`, concurrently
  /// when `chunks > 1`. Each worker thread other than the caller's binds the caller's overrides
  /// first and drops them afterwards.
  package static func run(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
    guard count > 0, chunks > 0 else { return }
    let probe = KernelOverrides.probe
    probe?.recordRun(chunks: chunks)
    if chunks == 1 {
      probe?.recordThread()
      body(0, 0..<count)
      return
    }
    let overrides = KernelOverrides.current
    let caller = CallerThread()
    withoutActuallyEscaping(body) { body in
      let box = UncheckedBox(body)
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let range = (count * c / chunks)..<(count * (c + 1) / chunks)
        probe?.recordThread()
        if overrides.isEmpty || caller.isCurrent {
          box.value(c, range)
        } else {
          overrides.bind { box.value(c, range) }
        }
      }
    }
  }
}

/// The thread that started a parallel run, which already has its overrides in place.
private struct CallerThread: @unchecked Sendable {
  package let thread = pthread_self()
  package var isCurrent: Bool { pthread_equal(thread, pthread_self()) != 0 }
}

package struct UncheckedBox<T>: @unchecked Sendable {
  package let value: T
  package init(_ value: T) { self.value = value }
}
