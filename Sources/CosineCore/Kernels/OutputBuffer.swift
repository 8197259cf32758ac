import CCosineKernels

/// Allocation of large result arrays.
package enum OutputBuffer {
  /// An array of `count` elements that the caller promises to overwrite entirely before any
  /// element is read. No zero-filling pass is made, and on Linux large buffers are advised to
  /// use transparent huge pages, so first touch costs one fault per 2 MiB instead of per 4 KiB.
  @inline(__always)
  package static func uninitialized<T: BitwiseCopyable>(_ count: Int, as _: T.Type = T.self) -> [T] {
    // No element: the empty array (creating it with capacity 0 writes the count into the shared
    // empty storage, a data race between threads doing so at once).
    guard count > 0 else { return [] }
    return [T](unsafeUninitializedCapacity: count) { buf, n in
      if let base = buf.baseAddress {
        ck_advise_huge_pages(UnsafeMutableRawPointer(base), count * MemoryLayout<T>.stride)
      }
      n = count
    }
  }

  /// Reuses `array`'s storage when it already has `count` elements, otherwise replaces it with
  /// an uninitialized buffer of `count` elements.
  @inline(__always)
  package static func prepare<T: BitwiseCopyable>(_ array: inout [T], count: Int) {
    if array.count != count { array = uninitialized(count) }
  }
}
