import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Paths and expected values of the fixtures written by `Scripts/make_npy_fixtures.py`,
/// and helpers to build `.npy` bytes by hand. Keep the values in sync with the script.
enum NPYFixtures {
  /// `Tests/CosineKitTests/Fixtures/npy/`, found relative to this source file.
  static let directory: String = {
    let file = "\(#filePath)"
    return String(file[..<file.range(of: "/Tests/CosineKitTests/")!.lowerBound]) + "/Tests/CosineKitTests/Fixtures/npy/"
  }()

  static func path(_ name: String) -> String { directory + name }

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
  }

  /// Float fixtures: element i is ((37 i) mod 101 - 50) / 8.
  static func pattern(_ n: Int) -> [Double] { (0..<n).map { Double((37 * $0) % 101 - 50) / 8 } }
  /// Integer fixtures named fortran_* / rank0_*: element i is (37 i) mod 101 - 50.
  static func intPattern(_ n: Int) -> [Double] { (0..<n).map { Double((37 * $0) % 101 - 50) } }

  /// `INTEGER_VALUES` of the script, each converted to Double the way the reader must.
  static let integerValues: [String: [Double]] = [
    "int8": [Int8]([-128, -1, 0, 1, 127, -100, 42, 7]).map { Double($0) },
    "uint8": [UInt8]([0, 1, 127, 128, 200, 255, 42, 7]).map { Double($0) },
    "int16": [Int16]([-32768, -1, 0, 1, 32767, -300, 258, 7]).map { Double($0) },
    "uint16": [UInt16]([0, 1, 255, 256, 32768, 65535, 258, 7]).map { Double($0) },
    "int32": [Int32]([-2_147_483_648, -1, 0, 1, 2_147_483_647, -70000, 16_909_060, 7]).map { Double($0) },
    "uint32": [UInt32]([0, 1, 65536, 2_147_483_648, 4_294_967_295, 16_909_060, 258, 7]).map { Double($0) },
    "int64": [Int64]([.min, -1, 0, 1, .max, -(1 << 53), (1 << 53) + 1, 0x0102_0304_0506_0708]).map { Double($0) },
    "uint64": [UInt64]([0, 1, 1 << 32, 1 << 63, .max, 1 << 53, (1 << 53) + 1, 0x0102_0304_0506_0708]).map {
      Double($0)
    },
  ]

  static let boolValues: [Double] = [1, 0, 1, 1, 0, 0]

  /// The bit patterns of `specials()` in the script for type T.
  static func specials<T: TensorScalar>(_: T.Type) -> [T] {
    [
      0, -0.0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
      T(1.0 / 3.0), .leastNormalMagnitude,
    ]
  }

  /// A `.npy` file with `header` as its dict text, padded with spaces and a newline as NumPy
  /// pads it (unless `pad` is false, in which case only the newline is added), then `data`.
  static func npy(
    _ header: String, data: [UInt8] = [], version: (UInt8, UInt8) = (1, 0), pad: Bool = true
  ) -> [UInt8] {
    npy(rawHeader: Array(header.utf8), data: data, version: version, pad: pad)
  }

  static func npy(
    rawHeader: [UInt8], data: [UInt8] = [], version: (UInt8, UInt8) = (1, 0), pad: Bool = true,
    lengthOverride: Int? = nil
  ) -> [UInt8] {
    let fieldSize = version.0 == 1 ? 2 : 4
    var text = rawHeader
    if pad {
      let unpadded = 8 + fieldSize + text.count + 1
      text += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64)
    }
    text.append(0x0A)
    let length = lengthOverride ?? text.count
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version.0, version.1]
    for i in 0..<fieldSize { out.append(UInt8(truncatingIfNeeded: length >> (8 * i))) }
    return out + text + data
  }

  /// The header dict NumPy would write, for hand-built files.
  static func dict(_ descr: String, _ shape: String, fortran: Bool = false) -> String {
    "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
  }

  static func decode(_ bytes: [UInt8], source: String = "mem.npy") throws -> AnyTensor {
    try bytes.withUnsafeBytes { try NPY.decode($0, source: source) }
  }

  /// The error decoding `bytes` throws, or nil (recorded as a test failure) if it succeeds.
  static func decodeError(
    _ bytes: [UInt8], source: String = "mem.npy", sourceLocation: SourceLocation = #_sourceLocation
  )
    -> NPYError?
  {
    do {
      let t = try decode(bytes, source: source)
      Issue.record("expected an error, decoded shape \(t.shape)", sourceLocation: sourceLocation)
      return nil
    } catch let e as NPYError {
      #expect(e.path == source, sourceLocation: sourceLocation)
      #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
      return e
    } catch {
      Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
      return nil
    }
  }

  /// Values of any tensor as Doubles (exact for every supported type).
  static func doubles(_ t: AnyTensor) -> [Double] { t.converted(to: Double.self).scalars }

  /// Bit patterns of the elements, for exact comparisons that include NaN and -0.
  static func bits(_ t: AnyTensor) -> [UInt64] {
    switch t {
    case .float16(let x): x.scalars.map { UInt64($0.bitPattern) }
    case .float32(let x): x.scalars.map { UInt64($0.bitPattern) }
    case .float64(let x): x.scalars.map { $0.bitPattern }
    }
  }
}

/// A fresh directory under the system temporary directory, removed when released.
final class TemporaryDirectory {
  let path: String

  init() throws {
    var template = Array((NSTemporaryDirectory() + "/cosinekit-npy-XXXXXX").utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw CocoaError(.fileWriteUnknown)
    }
    path = String(cString: made)
  }

  func file(_ name: String) -> String { path + "/" + name }

  /// The names in the directory, sorted.
  func contents() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
  }

  func write(_ bytes: [UInt8], to name: String) throws -> String {
    let p = file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: p))
    return p
  }

  func read(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name))))
  }

  deinit {
    _ = try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    try? FileManager.default.removeItem(atPath: path)
  }
}
