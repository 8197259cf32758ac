import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Reading the NumPy-written fixtures in Fixtures/npy (see Scripts/make_npy_fixtures.py).
@Suite struct NPYReaderTests {
  typealias F = NPYFixtures

  @Test(arguments: ["float16_le", "float16_be", "float32_le", "float32_be", "float64_le", "float64_be"])
  func floatDtypesKeepTheirTypeInBothByteOrders(name: String) throws {
    let t = try NPY.read(contentsOf: F.path(name + ".npy"))
    #expect(t.shape == [3, 4])
    switch (name.prefix(7), t) {
    case ("float16", .float16), ("float32", .float32), ("float64", .float64): break
    default: Issue.record("\(name) decoded as \(t.dtypeName)")
    }
    #expect(F.doubles(t) == F.pattern(12))  // exact: multiples of 1/8
  }

  @Test(arguments: [
    "int8", "uint8", "int16_le", "int16_be", "uint16_le", "uint16_be", "int32_le", "int32_be",
    "uint32_le", "uint32_be", "int64_le", "int64_be", "uint64_le", "uint64_be",
  ])
  func integersBecomeFloat64Exactly(name: String) throws {
    let t = try NPY.read(contentsOf: F.path(name + ".npy"))
    guard case .float64(let x) = t else {
      Issue.record("\(name) decoded as \(t.dtypeName)")
      return
    }
    #expect(x.shape == [2, 4])
    let key = name.split(separator: "_").first.map(String.init) ?? name
    #expect(x.scalars == F.integerValues[key])
  }

  @Test func integerExtremesConvertAsDocumented() throws {
    let t = try NPY.read(contentsOf: F.path("uint64_be.npy"))
    let x = F.doubles(t)
    #expect(x[4] == 18_446_744_073_709_551_616.0)  // UInt64.max rounds to 2^64
    #expect(x[5] == 9_007_199_254_740_992.0)
    #expect(x[6] == 9_007_199_254_740_992.0)  // 2^53 + 1 rounds to even
    let i = F.doubles(try NPY.read(contentsOf: F.path("int64_le.npy")))
    #expect(i[0] == -9_223_372_036_854_775_808.0)
  }

  @Test func boolBecomesZeroAndOne() throws {
    let t = try NPY.read(contentsOf: F.path("bool.npy"))
    guard case .float64(let x) = t else {
      Issue.record("decoded as \(t.dtypeName)")
      return
    }
    #expect(x.shape == [2, 3])
    #expect(x.scalars == F.boolValues)
  }

  @Test(arguments: [
    ("fortran_f8_le_2x3x4", [2, 3, 4], "float64"),
    ("fortran_f4_be_3x5", [3, 5], "float32"),
    ("fortran_f2_le_2x3x2", [2, 3, 2], "float16"),
    ("fortran_f8_be_2x1x3x2x2", [2, 1, 3, 2, 2], "float64"),
  ])
  func fortranOrderIsTransposedToCOrder(name: String, shape: [Int], dtype: String) throws {
    let t = try NPY.read(contentsOf: F.path(name + ".npy"))
    #expect(t.shape == shape)
    #expect(t.dtypeName == dtype)
    #expect(F.doubles(t) == F.pattern(shape.reduce(1, *)))
  }

  @Test func fortranIntegers() throws {
    let a = try NPY.read(contentsOf: F.path("fortran_i2_be_4x3.npy"))
    #expect(a.shape == [4, 3])
    #expect(F.doubles(a) == F.intPattern(12))
    let b = try NPY.read(contentsOf: F.path("fortran_u1_3x4.npy"))
    #expect(b.shape == [3, 4])
    #expect(F.doubles(b) == (0..<12).map(Double.init))
    let c = try NPY.read(contentsOf: F.path("v2_i4_be_fortran_3x2.npy"))
    #expect(c.shape == [3, 2])
    #expect(F.doubles(c) == F.intPattern(6))
  }

  static let rankShapes: [[Int]] = [
    [], [5], [2, 3], [2, 3, 4], [2, 1, 3, 2], [1, 2, 3, 1, 2], [2, 1, 2, 1, 2, 3], [1, 2, 1, 2, 1, 2, 2],
    [2, 1, 1, 2, 1, 1, 2, 3],
  ]

  @Test(arguments: 0...8)
  func ranksZeroThroughEight(rank: Int) throws {
    let shape = Self.rankShapes[rank]
    let t = try NPY.read(contentsOf: F.path("rank\(rank).npy"))
    guard case .float64(let x) = t else {
      Issue.record("decoded as \(t.dtypeName)")
      return
    }
    #expect(x.shape == shape)
    #expect(x.rank == rank)
    #expect(x.scalars == F.pattern(shape.reduce(1, *)))
  }

  @Test func rankZeroOfOtherTypes() throws {
    let a = try NPY.read(contentsOf: F.path("rank0_f2.npy"))
    guard case .float16(let h) = a else {
      Issue.record("decoded as \(a.dtypeName)")
      return
    }
    #expect(h.shape == [] && h.scalars == [-6.25])
    let b = try NPY.read(contentsOf: F.path("rank0_f4_be.npy"))
    guard case .float32(let f) = b else {
      Issue.record("decoded as \(b.dtypeName)")
      return
    }
    #expect(f.shape == [] && f.scalars == [-6.25])
    let c = try NPY.read(contentsOf: F.path("rank0_i4_be.npy"))
    #expect(c.shape == [] && F.doubles(c) == [-123456])
    let d = try NPY.read(contentsOf: F.path("v3_f2_be_rank0.npy"))
    #expect(d.shape == [] && d.dtypeName == "float16" && F.doubles(d) == [-6.25])
  }

  @Test(arguments: [
    ("empty_f8_0", [0], "float64"),
    ("empty_f4_3x0", [3, 0], "float32"),
    ("empty_f2_be_0x4x2", [0, 4, 2], "float16"),
    ("empty_u2_be_0", [0], "float64"),
    ("empty_b1_2x0", [2, 0], "float64"),
  ])
  func emptyArrays(name: String, shape: [Int], dtype: String) throws {
    let t = try NPY.read(contentsOf: F.path(name + ".npy"))
    #expect(t.shape == shape)
    #expect(t.dtypeName == dtype)
    #expect(F.doubles(t).isEmpty)
  }

  @Test func formatVersions2And3() throws {
    let a = try NPY.read(contentsOf: F.path("v2_f8_2x3.npy"))
    #expect(try F.bytes("v2_f8_2x3.npy")[6] == 2)
    #expect(a.shape == [2, 3] && a.dtypeName == "float64" && F.doubles(a) == F.pattern(6))
    let b = try NPY.read(contentsOf: F.path("v3_f4_5.npy"))
    #expect(try F.bytes("v3_f4_5.npy")[6] == 3)
    #expect(b.shape == [5] && b.dtypeName == "float32" && F.doubles(b) == F.pattern(5))
  }

  @Test(arguments: ["", "_be"])
  func specialValuesBitForBit(suffix: String) throws {
    let h = try NPY.read(contentsOf: F.path("specials_f16\(suffix).npy"))
    #expect(F.bits(h) == F.bits(.float16(Tensor(F.specials(Float16.self)))))
    let f = try NPY.read(contentsOf: F.path("specials_f32\(suffix).npy"))
    #expect(F.bits(f) == F.bits(.float32(Tensor(F.specials(Float.self)))))
    let d = try NPY.read(contentsOf: F.path("specials_f64\(suffix).npy"))
    #expect(F.bits(d) == F.bits(.float64(Tensor(F.specials(Double.self)))))
    // NumPy's NaN is the default quiet NaN, the same as Swift's.
    #expect(F.bits(d)[6] == 0x7FF8_0000_0000_0000)
    #expect(F.bits(h)[6] == 0x7E00)
  }

  /// Every fixture decodes the same from memory as from its file.
  @Test func decodeMatchesRead() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: F.directory).filter { $0.hasSuffix(".npy") }
    #expect(names.count >= 50)
    for name in names {
      let fromFile = try NPY.read(contentsOf: F.path(name))
      let fromMemory = try F.decode(try F.bytes(name), source: name)
      #expect(F.bits(fromFile) == F.bits(fromMemory), "\(name)")
      #expect(fromFile.shape == fromMemory.shape, "\(name)")
    }
  }

  // MARK: Header syntax NumPy (or Python's literal_eval) accepts

  @Test(arguments: [
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",  // as NumPy writes it
    "{'shape': (2, 2), 'fortran_order': False, 'descr': '<f8'}",  // any order, no trailing comma
    "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2,2)}",  // double quotes, no spaces
    "  {\t'descr' :'<f8' ,\n'fortran_order':False,'shape':( 2 , 2 , ) }  ",  // whitespace anywhere
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 2L), }",  // Python 2 longs (1.0/2.0 only)
    "{'descr': 'f8', 'fortran_order': False, 'shape': (2, 2), }",  // no byte order: native
    "{'descr': '=f8', 'fortran_order': False, 'shape': (2, 2), }",  // native
  ])
  func acceptedHeaderSpellings(header: String) throws {
    let data = F.pattern(4).flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    let t = try F.decode(F.npy(header, data: data))
    #expect(t.shape == [2, 2])
    #expect(F.doubles(t) == F.pattern(4))
    // Also unpadded (only the final newline).
    #expect(F.doubles(try F.decode(F.npy(header, data: data, pad: false))) == F.pattern(4))
  }

  @Test func longSuffixIsRejectedInVersion3() {
    let e = F.decodeError(F.npy(F.dict("<f8", "(1L,)"), data: [UInt8](repeating: 0, count: 8), version: (3, 0)))
    #expect(e?.message.contains("malformed header") == true)
  }

  @Test func oneByteTypesAcceptAnyByteOrderCharacter() throws {
    for descr in ["|u1", "<u1", ">u1", "=u1", "u1"] {
      #expect(F.doubles(try F.decode(F.npy(F.dict(descr, "(3,)"), data: [0, 7, 255]))) == [0, 7, 255])
    }
    for descr in ["|i1", ">i1"] {
      #expect(F.doubles(try F.decode(F.npy(F.dict(descr, "(3,)"), data: [0, 0x80, 0xFF]))) == [0, -128, -1])
    }
  }

  @Test func boolBytesOtherThanZeroAndOneAreTrue() throws {
    let t = try F.decode(F.npy(F.dict("|b1", "(4,)"), data: [0, 1, 2, 255]))
    #expect(F.doubles(t) == [0, 1, 1, 1])
  }

  @Test func fortranFlagWithAtMostOneLongAxisNeedsNoTransposition() throws {
    let data = (0..<6).flatMap { withUnsafeBytes(of: Float(Double($0)).bitPattern.bigEndian, Array.init) }
    let t = try F.decode(F.npy(F.dict(">f4", "(1, 6, 1)", fortran: true), data: data))
    #expect(t.shape == [1, 6, 1] && F.doubles(t) == [0, 1, 2, 3, 4, 5])
    let r0 = try F.decode(F.npy(F.dict(">f4", "()", fortran: true), data: Array(data.prefix(4))))
    #expect(r0.shape == [] && F.doubles(r0) == [0])
  }

  @Test func rank32IsTheMaximum() throws {
    let shape = "(" + String(repeating: "1, ", count: 32) + ")"
    let t = try F.decode(F.npy(F.dict("<f4", shape), data: [0, 0, 0x80, 0x3F]))
    #expect(t.shape == [Int](repeating: 1, count: 32))
    #expect(F.doubles(t) == [1])
  }

  // MARK: Large files: straight reads, in-place byte swaps and chunked conversion

  /// C-order index → value used for the large files.
  static func big(_ i: Int) -> Int { (i &* 2_654_435_761) % 60001 - 30000 }

  /// Serialises `count` elements in Fortran order (if `fortran`) of the C-order values `value(i)`.
  static func elements(shape: [Int], fortran: Bool, _ encode: (Int) -> [UInt8]) -> [UInt8] {
    let n = shape.reduce(1, *)
    guard fortran else { return (0..<n).flatMap(encode) }
    let strides = Shape.strides(shape)
    var out: [UInt8] = []
    out.reserveCapacity(n * 8)
    var index = [Int](repeating: 0, count: shape.count)
    for _ in 0..<n {
      let c = zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
      out += encode(c)
      for axis in 0..<shape.count {
        index[axis] += 1
        if index[axis] < shape[axis] { break }
        index[axis] = 0
      }
    }
    return out
  }

  @Test(arguments: [
    (">i4", true), ("<i2", false), (">f8", false), ("<f8", false), ("<f4", true), (">f2", true), ("|i1", true),
    ("<u8", false), (">f4", false),
  ])
  func largeFilesAcrossChunkBoundaries(descr: String, fortran: Bool) throws {
    let shape = [700, 3, 250]  // 525000 elements: 0.5 to 4 MiB of data, several 1 MiB chunks
    let big = descr.hasPrefix(">")
    func order<I: FixedWidthInteger>(_ v: I) -> [UInt8] {
      withUnsafeBytes(of: big ? v.bigEndian : v.littleEndian, Array.init)
    }
    let value: (Int) -> Double
    let encode: (Int) -> [UInt8]
    switch descr.dropFirst() {
    case "i4":
      value = { Double(Self.big($0)) }
      encode = { order(Int32(Self.big($0))) }
    case "i2":
      value = { Double(Int16(truncatingIfNeeded: Self.big($0))) }
      encode = { order(Int16(truncatingIfNeeded: Self.big($0))) }
    case "i1":
      value = { Double(Int8(truncatingIfNeeded: Self.big($0))) }
      encode = { [UInt8(truncatingIfNeeded: Self.big($0))] }
    case "u8":
      value = { Double(UInt64(bitPattern: Int64(Self.big($0)))) }
      encode = { order(UInt64(bitPattern: Int64(Self.big($0)))) }
    case "f8":
      value = { Double(Self.big($0)) / 16 }
      encode = { order((Double(Self.big($0)) / 16).bitPattern) }
    case "f4":
      value = { Double(Self.big($0)) / 16 }
      encode = { order(Float(Double(Self.big($0)) / 16).bitPattern) }
    case "f2":
      value = { Double(Float16(Double(Self.big($0)) / 16)) }
      encode = { order(Float16(Double(Self.big($0)) / 16).bitPattern) }
    default:
      Issue.record("no encoder for \(descr)")
      return
    }
    let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    let bytes = F.npy(
      F.dict(descr, shapeText, fortran: fortran), data: Self.elements(shape: shape, fortran: fortran, encode))
    let n = shape.reduce(1, *)
    let expected = (0..<n).map(value)

    let dir = try TemporaryDirectory()
    let path = try dir.write(bytes, to: "big.npy")
    let fromFile = try NPY.read(contentsOf: path)
    #expect(fromFile.shape == shape)
    #expect(F.doubles(fromFile) == expected)
    let fromMemory = try F.decode(bytes)
    #expect(F.bits(fromMemory) == F.bits(fromFile))
  }

  // MARK: firstNonFiniteIndex

  @Test func firstNonFiniteIndexFindsNaNAndInfinities() throws {
    #expect(firstNonFiniteIndex(Tensor<Double>([1, 2, 3])) == nil)
    #expect(firstNonFiniteIndex(Tensor<Double>([1, .nan, .infinity])) == 1)
    #expect(firstNonFiniteIndex(Tensor<Float>([1, 2, -.infinity])) == 2)
    #expect(firstNonFiniteIndex(Tensor<Float16>([.infinity])) == 0)
    #expect(firstNonFiniteIndex(Tensor<Double>(scalar: .nan)) == 0)
    #expect(firstNonFiniteIndex(Tensor<Double>(scalar: 0)) == nil)
    #expect(firstNonFiniteIndex(try Tensor<Float>(shape: [3, 0], scalars: [])) == nil)
    #expect(
      firstNonFiniteIndex(try Tensor<Double>(shape: [2, 2], scalars: [0, .greatestFiniteMagnitude, -.nan, 1])) == 2)
    let specials = try NPY.read(contentsOf: F.path("specials_f32_be.npy"))
    #expect(firstNonFiniteIndex(specials.converted(to: Float.self)) == 4)
    let fine = try NPY.read(contentsOf: F.path("rank3.npy"))
    #expect(firstNonFiniteIndex(fine.converted(to: Double.self)) == nil)
  }
}
