#if canImport(Glibc)
  import Glibc
#endif

/// Allocation of large result arrays.
enum OutputBuffer {
  /// An array of `count` elements that the caller promises to overwrite entirely before any
  /// element is read. No zero-filling pass is made, and on Linux large buffers are advised to
  /// use transparent huge pages, so first touch costs one fault per 2 MiB instead of per 4 KiB.
  @inline(__always)
  static func uninitialized<T: BitwiseCopyable>(_ count: Int, as _: T.Type = T.self) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buf, n in
      if let base = buf.baseAddress {
        adviseHugePages(UnsafeMutableRawPointer(base), bytes: count * MemoryLayout<T>.stride)
      }
      n = count
    }
  }

  /// Reuses `array`'s storage when it already has `count` elements, otherwise replaces it with
  /// an uninitialized buffer of `count` elements.
  @inline(__always)
  static func prepare<T: BitwiseCopyable>(_ array: inout [T], count: Int) {
    if array.count != count { array = uninitialized(count) }
  }

  /// Asks the kernel for huge pages over the 2 MiB-aligned interior of a buffer of at least 8 MiB.
  static func adviseHugePages(_ base: UnsafeMutableRawPointer, bytes: Int) {
    #if os(Linux)
      let huge = 2 << 20
      guard bytes >= 4 * huge else { return }
      let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
      let end = (Int(bitPattern: base) + bytes) & ~(huge - 1)
      guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
      _ = madvise(p, end - start, 14)  // MADV_HUGEPAGE; failure only costs speed
    #endif
  }
}
