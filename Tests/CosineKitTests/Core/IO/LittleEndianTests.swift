import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The one little-endian reader and writer, against byte-by-byte shifts.
@Suite struct LittleEndianTests {
  /// The bytes of `v`, least significant first, by shifts (independent of the host's order).
  static func shifted<I: FixedWidthInteger>(_ v: I) -> [UInt8] {
    (0..<(I.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
  }

  static func roundTrips<I: FixedWidthInteger>(_: I.Type, _ g: inout SeededGenerator) {
    for offset in 0..<9 {
      let v = I.random(in: .min ... .max, using: &g)
      var appended = [UInt8](repeating: 0xAA, count: offset)
      LittleEndian.append(v, to: &appended)
      #expect(Array(appended[offset...]) == shifted(v), "append of \(v) at \(offset)")
      var stored = [UInt8](repeating: 0x55, count: offset + I.bitWidth / 8 + 3)
      LittleEndian.store(v, into: &stored, at: offset)
      #expect(Array(stored[offset..<offset + I.bitWidth / 8]) == shifted(v))
      #expect(stored[..<offset].allSatisfy { $0 == 0x55 } && stored.suffix(3).allSatisfy { $0 == 0x55 })
      #expect(LittleEndian.load(I.self, from: stored, at: offset) == v, "unaligned read at \(offset)")
    }
  }

  @Test func everyWidthRoundTripsAtEveryAlignment() {
    var g = SeededGenerator(seed: 97)
    Self.roundTrips(UInt16.self, &g)
    Self.roundTrips(UInt32.self, &g)
    Self.roundTrips(UInt64.self, &g)
    Self.roundTrips(Int64.self, &g)
    #expect(LittleEndian.load(UInt32.self, from: [0x50, 0x4B, 0x05, 0x06], at: 0) == 0x0605_4B50)
  }
}
