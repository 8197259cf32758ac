import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length N, N bytes of JSON naming each
/// tensor's dtype, shape and byte range, then the data (ranges relative to the header's end).
///
/// The file is memory-mapped; the header is validated in full when opened (lengths, offsets in
/// range, ordered and disjoint, shapes whose element count matches the byte range without
/// overflow), so reading a tensor later cannot go out of bounds.
package struct SafeTensorsFile {
  /// One tensor's entry in the header.
  package struct Entry {
    /// The dtype's name in the header (`F32`, `F16`, `BF16`, `F64`, …).
    package let dtype: String
    /// The tensor's shape.
    package let shape: [Int]
    /// The byte range within the data section.
    package let range: Range<Int>
  }

  /// The largest header accepted (100 MB).
  package static let maxHeaderLength = 100_000_000
  /// The byte width of each dtype the format names.
  static let widths: [String: Int] = [
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
    "BOOL": 1, "U16": 2, "U32": 4, "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1,
  ]

  /// The file's path, for messages.
  package let path: String
  /// The header's entries by tensor name.
  package let entries: [String: Entry]
  private let data: Data
  private let dataStart: Int

  /// Opens and validates `url`.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the field at fault.
  package init(contentsOf url: URL) throws {
    path = url.path
    let fail = { (reason: String) in EncoderModelError.invalidFile(path: url.path, reason: reason) }
    do {
      data = try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
      throw fail("cannot read the file")
    }
    guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, no header length") }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
    guard n <= UInt64(Self.maxHeaderLength) else {
      throw fail("header length \(n) is larger than the limit of \(Self.maxHeaderLength) bytes")
    }
    guard Int(n) <= data.count - 8 else {
      throw fail("header length \(n) is larger than the file (\(data.count) bytes)")
    }
    dataStart = 8 + Int(n)
    let header = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + dataStart))
    guard let root = try? JSONSerialization.jsonObject(with: header), let object = root as? [String: Any]
    else { throw fail("header is not a JSON object") }
    let dataSize = data.count - dataStart
    var entries: [String: Entry] = [:]
    for (name, value) in object where name != "__metadata__" {
      guard let fields = value as? [String: Any] else { throw fail("tensor '\(name)' is not an object") }
      guard let dtype = fields["dtype"] as? String, let width = Self.widths[dtype] else {
        throw fail("tensor '\(name)' field 'dtype' is missing or unknown")
      }
      guard let shapeValues = fields["shape"] as? [Any] else {
        throw fail("tensor '\(name)' field 'shape' is missing")
      }
      var shape: [Int] = []
      var count = 1
      for v in shapeValues {
        guard let d = Self.integer(v), d >= 0 else {
          throw fail("tensor '\(name)' field 'shape' has an invalid dimension")
        }
        let product = count.multipliedReportingOverflow(by: d)
        guard !product.overflow else { throw fail("tensor '\(name)' field 'shape' overflows") }
        count = product.partialValue
        shape.append(d)
      }
      let bytes = count.multipliedReportingOverflow(by: width)
      guard !bytes.overflow else { throw fail("tensor '\(name)' field 'shape' overflows") }
      guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
        let begin = Self.integer(offsets[0]), let end = Self.integer(offsets[1])
      else { throw fail("tensor '\(name)' field 'data_offsets' is missing or not two integers") }
      guard begin >= 0, begin <= end else {
        throw fail("tensor '\(name)' field 'data_offsets' [\(begin), \(end)] is reversed or negative")
      }
      guard end <= dataSize else {
        throw fail("tensor '\(name)' field 'data_offsets' end \(end) is past the data (\(dataSize) bytes)")
      }
      guard end - begin == bytes.partialValue else {
        throw fail(
          "tensor '\(name)' field 'data_offsets' spans \(end - begin) bytes but the shape needs \(bytes.partialValue)")
      }
      entries[name] = Entry(dtype: dtype, shape: shape, range: begin..<end)
    }
    let sorted = entries.sorted { $0.value.range.lowerBound < $1.value.range.lowerBound }
    for (a, b) in zip(sorted, sorted.dropFirst()) where a.value.range.upperBound > b.value.range.lowerBound {
      throw fail("tensor '\(b.key)' field 'data_offsets' overlaps tensor '\(a.key)'")
    }
    self.entries = entries
  }

  /// An exact integer from a JSON number, or nil.
  private static func integer(_ value: Any) -> Int? {
    guard let number = value as? NSNumber else { return nil }
    let d = number.doubleValue
    guard d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
    return Int(d)
  }

  /// The tensor `name` as `Float`s, converted from F32, F16, BF16 or F64.
  ///
  /// - Parameters:
  ///   - name: the tensor's name in the header.
  ///   - shape: the shape the configuration requires.
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` if the tensor is missing, its
  ///   shape differs from `shape` or its dtype is not a floating-point one supported here.
  package func floats(_ name: String, shape: [Int]) throws -> [Float] {
    guard let entry = entries[name] else {
      throw EncoderModelError.invalidFile(path: path, reason: "missing tensor '\(name)'")
    }
    guard entry.shape == shape else {
      throw EncoderModelError.invalidFile(
        path: path, reason: "tensor '\(name)' has shape \(entry.shape) but the configuration needs \(shape)")
    }
    let count = shape.reduce(1, *)
    let base = data.startIndex + dataStart + entry.range.lowerBound
    return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Float] in
      let bytes = UnsafeRawBufferPointer(
        rebasing: raw[(base - data.startIndex)..<(base - data.startIndex + entry.range.count)])
      var out = [Float](repeating: 0, count: count)
      switch entry.dtype {
      case "F32":
        for i in 0..<count {
          out[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
        }
      case "F64":
        for i in 0..<count {
          out[i] = Float(Double(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
        }
      case "BF16":
        for i in 0..<count {
          let h = bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian
          out[i] = Float(bitPattern: UInt32(h) << 16)
        }
      case "F16":
        for i in 0..<count {
          out[i] = Self.half(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
        }
      default:
        throw EncoderModelError.invalidFile(path: path, reason: "tensor '\(name)' has unsupported dtype \(entry.dtype)")
      }
      return out
    }
  }

  /// The stored bytes of tensor `name` (little-endian, in its dtype), or nil if there is none.
  package func bytes(_ name: String) -> Data? {
    guard let entry = entries[name] else { return nil }
    let base = data.startIndex + dataStart
    return data.subdata(in: (base + entry.range.lowerBound)..<(base + entry.range.upperBound))
  }

  /// The bytes of a `.safetensors` file holding `tensors` in order (name, dtype, shape, data),
  /// with `{"format": "pt"}` metadata and the header padded with spaces to a multiple of 8 bytes.
  package static func encode(_ tensors: [(name: String, dtype: String, shape: [Int], data: Data)]) throws -> Data {
    var header: [String: Any] = ["__metadata__": ["format": "pt"]]
    var offset = 0
    for t in tensors {
      header[t.name] = ["dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, offset + t.data.count]]
      offset += t.data.count
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }
    var out = Data(capacity: 8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(json)
    for t in tensors { out.append(t.data) }
    return out
  }

  /// IEEE binary16 bits to `Float`, exactly (subnormals, infinities and NaNs included).
  static func half(_ h: UInt16) -> Float {
    let sign: Float = h & 0x8000 != 0 ? -1 : 1
    let exponent = Int((h >> 10) & 0x1f)
    let mantissa = Float(h & 0x3ff)
    switch exponent {
    case 0: return sign * mantissa * 0x1p-24
    case 31: return mantissa == 0 ? sign * .infinity : .nan
    default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }
}
