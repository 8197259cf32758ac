import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Files from strangers: every malformed input must give a one-line NPYError naming the file,
/// never a trap, a hang or an allocation sized by the header's claims.
@Suite struct NPYHostileInputTests {
  typealias F = NPYFixtures

  /// A valid file to mutate: '<f8', shape (2, 3).
  static let valid = F.npy(F.dict("<f8", "(2, 3)"), data: [UInt8](repeating: 0, count: 48))

  static func expectMessage(
    _ bytes: [UInt8], _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let e = F.decodeError(bytes, sourceLocation: sourceLocation) else { return }
    for f in fragments {
      #expect(e.message.contains(f), "“\(e.message)” lacks “\(f)”", sourceLocation: sourceLocation)
    }
  }

  // MARK: Files

  @Test func missingFile() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("nope.npy")
    #expect(throws: NPYError(path: path, message: "no such file")) { try NPY.read(contentsOf: path) }
    let nested = dir.file("nope/inner.npy")
    #expect(throws: NPYError.self) { try NPY.read(contentsOf: nested) }
    #expect(throws: NPYError(path: "", message: "no such file")) { try NPY.read(contentsOf: "") }
  }

  @Test func directory() throws {
    let dir = try TemporaryDirectory()
    #expect(throws: NPYError(path: dir.path, message: "is a directory, not a .npy file")) {
      try NPY.read(contentsOf: dir.path)
    }
  }

  @Test func notARegularFile() {
    #expect(throws: NPYError.self) { try NPY.read(contentsOf: "/dev/null") }
  }

  @Test(.enabled(if: geteuid() != 0, "root can read files without read permission"))
  func unreadableFile() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write(Self.valid, to: "secret.npy")
    chmod(path, 0o000)
    #expect(throws: NPYError(path: path, message: "permission denied: the file cannot be read")) {
      try NPY.read(contentsOf: path)
    }
  }

  @Test func emptyFile() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write([], to: "empty.npy")
    #expect(throws: NPYError(path: path, message: "empty file (0 bytes), not a .npy file")) {
      try NPY.read(contentsOf: path)
    }
    Self.expectMessage([], "empty file")
  }

  @Test func notNPY() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write(Array("x,y\n1,2\n".utf8), to: "data.csv")
    do {
      _ = try NPY.read(contentsOf: path)
      Issue.record("read a CSV file")
    } catch let e as NPYError {
      #expect(e.path == path)
      #expect(e.message == "not a .npy file: it does not start with the magic string \\x93NUMPY (found \"x,y\\x0A1,\")")
      #expect(e.description == "\(path): \(e.message)")
    }
    Self.expectMessage([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0, 0], "zip archive")
  }

  @Test func filesBehaveLikeMemory() throws {
    // A selection of hostile inputs gives the same message via read(contentsOf:) and decode.
    let dir = try TemporaryDirectory()
    let cases: [[UInt8]] = [
      Array(Self.valid.dropLast(5)), Self.valid + [1], Array(Self.valid.prefix(9)),
      F.npy(F.dict("<f8", "(1000000000000000,)"), data: [UInt8](repeating: 0, count: 72)),
    ]
    for (i, bytes) in cases.enumerated() {
      let path = try dir.write(bytes, to: "case\(i).npy")
      guard let memory = F.decodeError(bytes, source: path) else { continue }
      #expect(throws: memory) { try NPY.read(contentsOf: path) }
    }
  }

  // MARK: Magic, version, header length

  @Test func badMagic() {
    var b = Self.valid
    b[0] = 0x92
    Self.expectMessage(b, "not a .npy file")
    Self.expectMessage(Array("NUMPY".utf8), "not a .npy file")
    Self.expectMessage([0x93, 0x4E, 0x55], "truncated", "only 3 bytes")  // a prefix of the magic string
    Self.expectMessage(
      F.npy(F.dict("<f8", "()"), data: [UInt8](repeating: 0, count: 8)).map { $0 == 0x4E ? 0x6E : $0 },
      "not a .npy file")
  }

  @Test(arguments: [(UInt8(0), UInt8(0)), (1, 1), (2, 1), (4, 0), (255, 255), (3, 1)])
  func unsupportedVersions(major: UInt8, minor: UInt8) {
    var b = Self.valid
    b[6] = major
    b[7] = minor
    Self.expectMessage(b, "unsupported .npy format version \(major).\(minor)", "supported: 1.0, 2.0, 3.0")
  }

  @Test func truncatedPrelude() {
    for n in 6..<10 { Self.expectMessage(Array(Self.valid.prefix(n)), "truncated") }
    var v2 = F.npy(F.dict("<f8", "()"), data: [UInt8](repeating: 0, count: 8), version: (2, 0))
    v2 = Array(v2.prefix(11))
    Self.expectMessage(v2, "truncated", "length field")
  }

  @Test func truncatedHeader() {
    Self.expectMessage(
      Array(Self.valid.prefix(40)), "header length 118 extends beyond the end of the file", "only 30 bytes")
  }

  @Test func headerLengthBeyondFile() {
    var b = Self.valid
    b[8] = 0xFF
    b[9] = 0xFF
    Self.expectMessage(b, "header length 65535 extends beyond the end of the file")
    let v3 = F.npy(
      rawHeader: Array(F.dict("<f8", "()").utf8), data: [UInt8](repeating: 0, count: 8), version: (3, 0),
      lengthOverride: 0xFFFF_FFFF)
    Self.expectMessage(v3, "header length 4294967295 extends beyond")
  }

  @Test func headerLengthZeroOrTooLong() {
    Self.expectMessage(F.npy(rawHeader: [], lengthOverride: 0) + [0x0A], "header is empty")
    // A 2 MiB header is refused even though the file really is that long.
    let long = F.npy(
      F.dict("<f8", "()") + String(repeating: " ", count: 2 << 20), data: [UInt8](repeating: 0, count: 8),
      version: (2, 0))
    Self.expectMessage(long, "exceeds the limit of 1048576 bytes")
  }

  @Test func headerMustEndInNewline() {
    var b = Self.valid
    b[127] = 0x20
    Self.expectMessage(b, "does not end with a newline")
  }

  @Test func nonASCIIHeader() {
    Self.expectMessage(
      F.npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'é': 1}", data: [UInt8](repeating: 0, count: 48)),
      "non-ASCII byte 0xC3", "must be ASCII")
    // Version 3.0 allows UTF-8, so the same header is read and fails on its unknown key instead.
    Self.expectMessage(
      F.npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'é': 1}", data: [UInt8](repeating: 0, count: 48),
        version: (3, 0)),
      "unknown key '\\xE9'")
    // Invalid UTF-8 in version 3.0.
    Self.expectMessage(
      F.npy(rawHeader: Array("{'descr': '<f8', 'x".utf8) + [0xFF, 0xFE] + Array("': 1}".utf8), version: (3, 0)),
      "not valid UTF-8")
  }

  // MARK: The header dict

  @Test func missingKeys() {
    Self.expectMessage(F.npy("{'fortran_order': False, 'shape': (2, 3), }"), "missing key 'descr'")
    Self.expectMessage(F.npy("{'descr': '<f8', 'shape': (2, 3), }"), "missing key 'fortran_order'")
    Self.expectMessage(F.npy("{'descr': '<f8', 'fortran_order': False, }"), "missing key 'shape'")
    Self.expectMessage(F.npy("{}"), "missing key 'descr'")
  }

  @Test func duplicateKeys() {
    Self.expectMessage(
      F.npy("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"), "duplicate key 'descr'")
    Self.expectMessage(
      F.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'shape': (2, 3)}"), "duplicate key 'shape'")
    Self.expectMessage(
      F.npy("{'descr': '<f8', 'fortran_order': False, \"fortran_order\": True, 'shape': (1,)}"),
      "duplicate key 'fortran_order'")
  }

  @Test func unknownAndNonStringKeys() {
    Self.expectMessage(
      F.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 0, }"),
      "unknown key 'extra'", "expected exactly 'descr', 'fortran_order' and 'shape'")
    Self.expectMessage(
      F.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 1: 0, }"),
      "dict key the integer 1 is not a string")
    Self.expectMessage(F.npy("{'Descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"), "unknown key 'Descr'")
  }

  @Test(arguments: [
    ("['descr', '<f8']", "expected a dict, found a list"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } 0", "after the end of the dict"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)", "expected ',' or '}'"),
    ("{'descr': '<f8' 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}'"),
    ("{'descr' '<f8', 'fortran_order': False, 'shape': (2, 3)}", "expected ':'"),
    ("{'descr': '<f8, 'fortran_order': False, 'shape': (2, 3)}", "malformed header"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3,,)}", "expected a value"),
    ("{'descr': '<f8', 'fortran_order': false, 'shape': (2, 3)}", "unexpected name 'false'"),
    (
      "{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3)}",
      "'fortran_order' must be True or False, found the integer 0"
    ),
    ("{'descr': '<f8', 'fortran_order': 'False', 'shape': (2, 3)}", "'fortran_order' must be True or False"),
    ("{'descr': '<f8', 'fortran_order': None, 'shape': (2, 3)}", "found None"),
    ("{'descr': 8, 'fortran_order': False, 'shape': (2, 3)}", "'descr' must be a string, found the integer 8"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3]}", "'shape' must be a tuple of integers, found a list"),
    (
      "{'descr': '<f8', 'fortran_order': False, 'shape': (6)}",
      "'shape' must be a tuple of integers, found the integer 6"
    ),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': 6}", "'shape' must be a tuple"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': ((2, 3),)}", "'shape' entry 0 is a tuple, not an integer"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, [3])}", "'shape' entry 1 is a list, not an integer"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': ([[[[[[[[[[1]]]]]]]]]],)}", "nested more than 8 deep"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (True, 3)}", "'shape' entry 0 is True, not an integer"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': ('2', 3)}", "'shape' entry 0 is the string '2'"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2.0, 3)}", "in an integer"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (0x2, 3)}", "in an integer"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (02, 3)}", "leading zero"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1_0, 3)}", "in an integer"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3)}", "negative dimension -3 at axis 1"),
    // -0 is 0
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (-0, 3)}", "unexpected bytes after the data: expected 0 bytes"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (- x, 3)}", "expected digits after '-'"),
    (
      "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 3)}",
      "does not fit in a 64-bit signed integer"
    ),
    (
      "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775808,)}",
      "does not fit in a 64-bit signed integer"
    ),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': {'y': 1}}", "unknown key 'x'"),
    ("{'descr': 'f\\x38', 'fortran_order': False, 'shape': (2, 3)}", "backslash escapes"),
    ("{'descr': u'<f8', 'fortran_order': False, 'shape': (2, 3)}", "unexpected name 'u'"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\u{0}", "unexpected byte 0x00"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': __import__('os')}", "unexpected name '__import__'"),
  ])
  func malformedDicts(header: String, fragment: String) {
    Self.expectMessage(F.npy(header, data: [UInt8](repeating: 0, count: 40)), fragment)
  }

  @Test func deepNestingDoesNotRecurseWithoutBound() {
    let deep = "{'descr': '<f8', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 100_000) + "}"
    Self.expectMessage(F.npy(deep, version: (2, 0)), "nested more than 8 deep")
    let deepLists = String(repeating: "[", count: 500_000)
    Self.expectMessage(F.npy(deepLists, version: (2, 0)), "nested more than 8 deep")
  }

  // MARK: Dtypes

  @Test(arguments: [
    ("|O", "Python object"), ("<c8", "complex64"), ("<c16", "complex128"), (">c16", "complex128"),
    ("|S5", "byte string"), ("<U3", "unicode string"), ("|V8", "void/structured"), ("<M8[ns]", "datetime64"),
    ("<m8[s]", "timedelta64"), ("<f16", "extended precision float128"), ("<f12", "float96"), ("<i16", "signed integer"),
    ("<u3", "unsigned integer"), ("<f3", "3-byte float"), ("float64", ""), ("", ""), ("<", ""), ("<f", ""),
    ("<f1", ""), ("?", "'|b1'"), ("<b2", "bool"), ("<f4 ", ""), ("<f99999999999999999999", ""),
  ])
  func unsupportedDtypes(descr: String, fragment: String) {
    guard let e = F.decodeError(F.npy(F.dict(descr, "(1,)"), data: [UInt8](repeating: 0, count: 16))) else { return }
    #expect(e.message.hasPrefix("unsupported dtype '\(descr)'"), "\(e.message)")
    #expect(fragment.isEmpty || e.message.contains(fragment), "\(e.message)")
    #expect(e.message.contains("supported: float16, float32, float64"))
  }

  @Test func pipeByteOrderOnMultiByteTypes() {
    Self.expectMessage(
      F.npy(F.dict("|f4", "(1,)"), data: [0, 0, 0, 0]), "unsupported dtype '|f4'", "only meaningful for one-byte types")
  }

  @Test func structuredDescr() {
    Self.expectMessage(
      F.npy(
        "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }",
        data: [UInt8](repeating: 0, count: 12)),
      "unsupported dtype", "structured", "supported: float16")
  }

  // MARK: Shape and size

  @Test func shapeWhoseElementCountOverflows() {
    Self.expectMessage(
      F.npy(F.dict("<f8", "(4294967296, 4294967296, 4294967296)")), "has more elements than fit in a 64-bit integer")
    Self.expectMessage(F.npy(F.dict("<f8", "(9223372036854775807, 2)")), "more elements than fit")
  }

  @Test func shapeWhoseByteSizeOverflows() {
    // 2^62 elements fit in Int, 2^62 * 8 bytes do not.
    Self.expectMessage(
      F.npy(F.dict("<f8", "(2147483648, 2147483648)")), "needs more bytes than fit in a 64-bit integer")
    // ... but zero anywhere makes the product 0 without overflow.
    #expect(throws: Never.self) { try F.decode(F.npy(F.dict("<f8", "(9223372036854775807, 0)"))) }
  }

  @Test func hugeClaimInASmallFile() {
    // 10^15 float64 elements claimed, 200 bytes in the file: rejected before any allocation.
    let b = F.npy(F.dict("<f8", "(1000000000000000,)"), data: [UInt8](repeating: 0, count: 72))
    #expect(b.count == 200)
    Self.expectMessage(
      b, "truncated: expected 8000000000000000 bytes of data, found 72 (shape (1000000000000000,), dtype '<f8')")
    Self.expectMessage(
      F.npy(F.dict("|u1", "(100000, 100000, 100000)")), "truncated: expected 1000000000000000 bytes of data, found 0")
  }

  @Test func rankAbove32() {
    let shape = "(" + String(repeating: "1, ", count: 33) + ")"
    Self.expectMessage(
      F.npy(F.dict("<f8", shape), data: [UInt8](repeating: 0, count: 8)), "rank 33 exceeds the maximum of 32")
  }

  @Test func truncatedData() {
    Self.expectMessage(Array(Self.valid.dropLast(8)), "truncated: expected 48 bytes of data, found 40")
    Self.expectMessage(F.npy(F.dict(">i2", "(3,)"), data: [0, 1, 0]), "truncated: expected 6 bytes of data, found 3")
    Self.expectMessage(F.npy(F.dict("<f8", "()")), "truncated: expected 8 bytes of data, found 0")
  }

  @Test func trailingGarbage() {
    Self.expectMessage(Self.valid + [0], "1 unexpected bytes after the data: expected 48 bytes of data, found 49")
    Self.expectMessage(F.npy(F.dict("<f8", "(0,)"), data: Array("garbage".utf8)), "7 unexpected bytes after the data")
  }

  // MARK: Robustness

  /// Random mutations of valid files (bit flips, byte changes, truncation, insertion) never trap.
  @Test func randomMutationsNeverTrap() throws {
    var rng = SeededGenerator(seed: 0x5EED)
    let seeds = try ["float16_be", "int64_le", "fortran_f4_be_3x5", "v3_f4_5", "rank3", "bool", "empty_f4_3x0"]
      .map { try F.bytes($0 + ".npy") }
    var decoded = 0
    for _ in 0..<20_000 {
      var b = seeds[Int(rng.next() % UInt64(seeds.count))]
      for _ in 0...(rng.next() % 4) {
        let i = Int(rng.next() % UInt64(max(b.count, 1)))
        switch rng.next() % 5 {
        case 0 where !b.isEmpty: b[i] ^= UInt8(1 << (rng.next() % 8))
        case 1 where !b.isEmpty: b[i] = UInt8(truncatingIfNeeded: rng.next())
        case 2: b = Array(b.prefix(i))
        case 3: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: min(i, b.count))
        default: if i < 10 && b.count > 10 { b[8 + (i % 2)] = UInt8(truncatingIfNeeded: rng.next()) }
        }
      }
      do {
        _ = try F.decode(b)
        decoded += 1
      } catch let e as NPYError {
        #expect(!e.message.isEmpty && !e.description.contains("\n"))
      }
    }
    #expect(decoded > 0)
  }

  /// Every input the fuzzer found interesting (Fuzz/corpus/npy, including regression inputs)
  /// decodes or fails cleanly.
  @Test func fuzzCorpusDecodesOrFailsCleanly() throws {
    let corpus = NPYFixtures.directory + "../../../../Fuzz/corpus/npy/"
    let names = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
    #expect(names.count > 20)
    for name in names where !name.hasPrefix(".") {
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: corpus + name)))
      do {
        let t = try F.decode(bytes, source: name)
        #expect(!name.hasPrefix("invalid_"), "\(name) decoded to \(t.shape)")
      } catch let e as NPYError {
        #expect(e.path == name)
        #expect(!name.hasPrefix("valid_") && !name.hasPrefix("edge_"), "\(name): \(e)")
      }
    }
  }
}
