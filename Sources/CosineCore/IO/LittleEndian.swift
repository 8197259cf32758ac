/// Little-endian integers in byte buffers, at any alignment: the one reader and writer of the
/// fixed-layout binary fields CosineKit stores (index-file header slots, the `.npz` ZIP records).
package enum LittleEndian {
  /// The `I` stored little-endian at byte `offset` of `bytes`.
  ///
  /// **Edge cases:** the bytes `offset..<offset + I.bitWidth / 8` must lie within `bytes`:
  /// callers check the buffer's size first, and a read outside it traps (never reads past it).
  @inline(__always)
  package static func load<I: FixedWidthInteger>(_: I.Type, from bytes: UnsafeRawBufferPointer, at offset: Int) -> I {
    precondition(offset >= 0 && offset <= bytes.count - I.bitWidth / 8, "little-endian read outside the buffer")
    return I(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: I.self))
  }

  /// ``load(_:from:at:)-(_,UnsafeRawBufferPointer,_)`` from an array.
  @inline(__always)
  package static func load<I: FixedWidthInteger>(_: I.Type, from bytes: [UInt8], at offset: Int) -> I {
    bytes.withUnsafeBytes { load(I.self, from: $0, at: offset) }
  }

  /// Writes `value` little-endian at byte `offset` of `bytes`, which must hold it (else traps).
  package static func store<I: FixedWidthInteger>(_ value: I, into bytes: inout [UInt8], at offset: Int) {
    precondition(offset >= 0 && offset <= bytes.count - I.bitWidth / 8, "little-endian write outside the buffer")
    withUnsafeBytes(of: value.littleEndian) { v in
      for (i, x) in v.enumerated() { bytes[offset + i] = x }
    }
  }

  /// Appends `value` little-endian to `bytes`.
  package static func append<I: FixedWidthInteger>(_ value: I, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }
}
