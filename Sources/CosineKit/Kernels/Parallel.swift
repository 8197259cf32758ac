import Dispatch

/// Thread settings for CosineKit's kernels.
///
/// Kernels split their rows into contiguous ranges and run them on
/// `DispatchQueue.concurrentPerform`. By default every core is used.
public enum CosineKitThreads {
  private static let configured = LockedValue<Int>(0)

  /// The number of threads kernels use; `0` (the default) means one per active processor.
  /// Values are clamped to at least 1 when read through ``effectiveCount``.
  public static var count: Int {
    get { configured.load() }
    set { configured.store(max(0, newValue)) }
  }

  /// The number of threads a kernel will actually use.
  public static var effectiveCount: Int {
    let c = count
    return c > 0 ? c : max(1, ProcessInfoLite.activeProcessorCount)
  }
}

/// A raw pointer that may cross into `concurrentPerform` workers. Each worker touches a
/// disjoint range, which is what makes sharing it sound.
@usableFromInline
struct SharedPointer<T>: @unchecked Sendable {
  @usableFromInline let base: UnsafeMutablePointer<T>
  @usableFromInline init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

@usableFromInline
struct SharedConstPointer<T>: @unchecked Sendable {
  @usableFromInline let base: UnsafePointer<T>
  @usableFromInline init(_ base: UnsafePointer<T>) { self.base = base }
}

enum Parallel {
  /// Calls `body` on disjoint contiguous sub-ranges covering `0..<count`, on up to
  /// ``CosineKitThreads/effectiveCount`` threads. `costPerItem` (in element operations) decides
  /// whether splitting pays: below ~256 K operations the work runs on the calling thread.
  static func forEachRange(
    _ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    let threads = CosineKitThreads.effectiveCount
    let total = count.multipliedReportingOverflow(by: max(1, costPerItem))
    let work = total.overflow ? Int.max : total.partialValue
    let chunks = min(threads, count, max(1, work / (1 << 18)))
    if chunks <= 1 {
      body(0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      let box = UncheckedBox(body)
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = count * c / chunks
        let hi = count * (c + 1) / chunks
        box.value(lo..<hi)
      }
    }
  }
}

struct UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
