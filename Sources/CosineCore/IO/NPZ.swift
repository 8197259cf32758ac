/// NumPy `.npz` archives: a ZIP file of `.npy` members, `name.npy` each, stored uncompressed
/// (what `np.savez` writes and `np.load` reads).
///
/// Only stored (uncompressed) members are read; `np.savez_compressed` archives are rejected
/// with a clear error. No ZIP64: members and archives up to 4 GiB.
public enum NPZ {
  /// One member: its name without `.npy` and its `.npy` bytes.
  package struct Member {
    package let name: String
    package let bytes: [UInt8]

    package init(name: String, bytes: [UInt8]) {
      self.name = name
      self.bytes = bytes
    }
  }

  /// The CRC-32 (ZIP, polynomial 0xEDB88320) of `bytes`.
  package static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var table = [UInt32](repeating: 0, count: 256)
    for i in 0..<256 {
      var c = UInt32(i)
      for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
      table[i] = c
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }

  /// The archive bytes of `members`, stored uncompressed.
  package static func encode(_ members: [Member]) throws -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    func u16(_ v: Int, _ a: inout [UInt8]) { LittleEndian.append(UInt16(truncatingIfNeeded: v), to: &a) }
    func u32(_ v: UInt32, _ a: inout [UInt8]) { LittleEndian.append(v, to: &a) }
    for m in members {
      let name = Array((m.name + ".npy").utf8)
      guard m.bytes.count < 0xFFFF_FFFF, out.count < 0xFFFF_FFFF else {
        throw NPYProblem("an .npz member over 4 GiB is not supported")
      }
      let crc = crc32(m.bytes)
      let offset = UInt32(out.count)
      // Local file header.
      u32(0x0403_4B50, &out)
      u16(20, &out)
      u16(0, &out)
      u16(0, &out)  // stored
      u16(0, &out)
      u16(0x21, &out)  // 1980-01-01
      u32(crc, &out)
      u32(UInt32(m.bytes.count), &out)
      u32(UInt32(m.bytes.count), &out)
      u16(name.count, &out)
      u16(0, &out)
      out += name
      out += m.bytes
      // Central directory entry.
      u32(0x0201_4B50, &central)
      u16(20, &central)
      u16(20, &central)
      u16(0, &central)
      u16(0, &central)
      u16(0, &central)
      u16(0x21, &central)
      u32(crc, &central)
      u32(UInt32(m.bytes.count), &central)
      u32(UInt32(m.bytes.count), &central)
      u16(name.count, &central)
      for _ in 0..<4 { u16(0, &central) }
      u32(0, &central)
      u32(offset, &central)
      central += name
    }
    let start = UInt32(out.count)
    out += central
    u32(0x0605_4B50, &out)
    u16(0, &out)
    u16(0, &out)
    u16(members.count, &out)
    u16(members.count, &out)
    u32(UInt32(central.count), &out)
    u32(start, &out)
    u16(0, &out)
    return out
  }

  /// The members of an archive, from its central directory.
  package static func decode(_ b: [UInt8]) throws -> [Member] {
    func u16(_ o: Int) -> Int { Int(LittleEndian.load(UInt16.self, from: b, at: o)) }
    func u32(_ o: Int) -> Int { Int(LittleEndian.load(UInt32.self, from: b, at: o)) }
    guard b.count >= 22 else { throw NPYProblem("not an .npz file (too short for a ZIP archive)") }
    var eocd = -1
    var o = b.count - 22
    while o >= Swift.max(0, b.count - 22 - 65535) {
      if u32(o) == 0x0605_4B50 {
        eocd = o
        break
      }
      o -= 1
    }
    guard eocd >= 0 else { throw NPYProblem("not an .npz file (no ZIP end-of-directory record)") }
    let count = u16(eocd + 10)
    let size = u32(eocd + 12)
    let start = u32(eocd + 16)
    guard start <= eocd, size <= eocd - start else {
      throw NPYProblem("corrupt .npz: the directory lies outside the file")
    }
    var members: [Member] = []
    var p = start
    for _ in 0..<count {
      guard p + 46 <= eocd, u32(p) == 0x0201_4B50 else { throw NPYProblem("corrupt .npz: bad directory entry") }
      let method = u16(p + 10)
      let compressed = u32(p + 20)
      let plain = u32(p + 24)
      let nameLength = u16(p + 28)
      let next = p + 46 + nameLength + u16(p + 30) + u16(p + 32)
      let local = u32(p + 42)
      guard next <= eocd else { throw NPYProblem("corrupt .npz: bad directory entry") }
      let name = String(decoding: b[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
      guard method == 0 else {
        throw NPYProblem("member '\(name)' is compressed (np.savez_compressed); write the file with np.savez")
      }
      guard compressed == plain, local + 30 <= b.count, u32(local) == 0x0403_4B50 else {
        throw NPYProblem("corrupt .npz: bad local header for '\(name)'")
      }
      let data = local + 30 + u16(local + 26) + u16(local + 28)
      guard data <= b.count, plain <= b.count - data else { throw NPYProblem("corrupt .npz: '\(name)' is truncated") }
      let bytes = Array(b[data..<(data + plain)])
      guard crc32(bytes) == UInt32(u32(p + 16)) else { throw NPYProblem("corrupt .npz: CRC mismatch in '\(name)'") }
      members.append(Member(name: name.hasSuffix(".npy") ? String(name.dropLast(4)) : name, bytes: bytes))
      p = next
    }
    return members
  }
}
