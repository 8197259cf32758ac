/// A fixed-size buffer of scalars freed with its owner: the training pass's saved activations
/// and scratch, read and written through ``pointer`` (no copy-on-write, no bounds checks in the
/// kernels' loops).
package final class TrainingBuffer<Scalar: EncoderScalar>: @unchecked Sendable {
  /// Element count.
  package let count: Int
  /// The storage (`count` initialized values).
  package let pointer: UnsafeMutablePointer<Scalar>

  /// `count` zeros.
  package init(count: Int) {
    self.count = count
    pointer = .allocate(capacity: Swift.max(count, 1))
    pointer.initialize(repeating: 0, count: Swift.max(count, 1))
  }

  /// A copy of `values`.
  package convenience init(_ values: [Scalar]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
  }

  deinit { pointer.deallocate() }

  /// Sets every value to 0.
  package func zero() { pointer.update(repeating: 0, count: count) }

  /// The values as an array.
  package var array: [Scalar] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
