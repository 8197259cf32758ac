import Foundation
import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Index files: round trips, in-place appends, and every corruption rejected with a clear error.
@Suite struct IndexFileFormatTests {
  func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

  func decodeError(_ b: [UInt8]) -> String? {
    do {
      _ = try b.withUnsafeBytes { try IndexTable.decode($0, source: "idx") }
      return nil
    } catch let e as NPYError {
      #expect(e.path == "idx")
      #expect(!e.description.contains("\n"))
      return e.message
    } catch {
      Issue.record("not an NPYError: \(error)")
      return "?"
    }
  }

  @Test(arguments: CosineIndexQuantization.allCases)
  func roundTripGivesTheSameResults(_ quantization: CosineIndexQuantization) throws {
    let c = randomTensor([300, 20], seed: 1, as: Float.self)
    let ids = (0..<300).map { ($0 * 7919) % 1000 + 5 }
    let index = try CosineIndexFile(c, ids: ids, quantization: quantization)
    let path = temporaryIndexPath("rt")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try index.save(to: path)
    let mapped = try CosineIndexFile(mapping: path)
    #expect(mapped.count == 300 && mapped.dimension == 20 && mapped.quantization == quantization)
    #expect(mapped.ids == ids.sorted())
    let q = randomTensor([3, 20], seed: 2, as: Float.self)
    let want = try IndexModel(c, ids: ids).topK(q, k: 7)
    let r = try mapped.search(q, k: 7)
    #expect(rows(r).indices == want.ids)
    #expect(sameBits(rows(r).scores, want.scores))
    #expect(try index.search(q, k: 7) == r)
    // Saving the mapped index elsewhere gives the same bytes.
    let copy = temporaryIndexPath("copy")
    defer { try? FileManager.default.removeItem(atPath: copy) }
    try mapped.save(to: copy)
    #expect(try bytes(copy) == bytes(path))
  }

  @Test func aMappedInt8IndexReadsItsFewRescoredRowsFromTheFile() throws {
    let c = randomTensor([20000, 16], seed: 40, as: Float.self)
    let path = temporaryIndexPath("big")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try CosineIndexFile(c, quantization: .int8).save(to: path)
    let mapped = try CosineIndexFile(mapping: path)
    let t = mapped.table
    #expect(t.segments[0].file != nil)
    let model = IndexModel(c)
    for seed in 41..<45 as Range<UInt64> {
      let q = randomTensor([1, 16], seed: seed, as: Float.self)
      let want = try model.topK(q, k: 5)
      let r = try mapped.search(q, k: 5)
      #expect(rows(r).indices == want.ids)
      #expect(sameBits(rows(r).scores, want.scores))
    }
  }

  @Test func addAndRemoveAppendInPlaceAndReopen() throws {
    let c = randomTensor([200, 12], seed: 3, as: Float.self)
    let index = try CosineIndexFile(c, quantization: .int8)
    let path = temporaryIndexPath("append")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try index.save(to: path)
    let before = try bytes(path)
    var mapped = try CosineIndexFile(mapping: path)
    let extra = randomTensor([50, 12], seed: 4, as: Float.self)
    try mapped.add(extra, ids: Array(1000..<1050))
    try mapped.remove(ids: [3, 1010, 99_999])
    try mapped.save(to: path)
    let after = try bytes(path)
    // Appended: the first header slot and the old blocks are untouched.
    #expect(after.count > before.count)
    #expect(Array(after[0..<4096]) == Array(before[0..<4096]))
    #expect(Array(after[8192..<before.count]) == Array(before[8192...]))
    let reopened = try CosineIndexFile(mapping: path)
    #expect(reopened.count == 248 && reopened.removedCount == 2 && reopened.segmentCount == 2)
    var model = IndexModel(c)
    for r in 0..<50 { model.rows[1000 + r] = Array(extra.scalars[r * 12..<(r + 1) * 12]) }
    model.rows[3] = nil
    model.rows[1010] = nil
    let q = randomTensor([2, 12], seed: 5, as: Float.self)
    let want = try model.topK(q, k: 20)
    #expect(rows(try reopened.search(q, k: 20)).indices == want.ids)
    // A second append after another change, then compaction rewrites the whole file.
    var again = reopened
    try again.remove(ids: [0])
    try again.save(to: path)
    #expect(try CosineIndexFile(mapping: path).removedCount == 3)
    again.compact()
    try again.save(to: path)
    let compacted = try CosineIndexFile(mapping: path)
    #expect(compacted.segmentCount == 1 && compacted.removedCount == 0 && compacted.count == 247)
    model.rows[0] = nil
    #expect(rows(try compacted.search(q, k: 20)).indices == (try model.topK(q, k: 20)).ids)
  }

  @Test func corruptFilesAreRejectedWithAClearError() throws {
    let c = randomTensor([70, 9], seed: 6, as: Float.self)
    var index = try CosineIndexFile(c, quantization: .int8)
    try index.remove(ids: [4])
    let path = temporaryIndexPath("corrupt")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try index.save(to: path)
    let good = try bytes(path)
    #expect(decodeError(good) == nil)

    // Truncations: inside the header slots and inside the data.
    for n in [0, 10, 4096, 8191, 8192, good.count / 2, good.count - 1] {
      let msg = try #require(decodeError(Array(good[0..<n])), "truncated to \(n)")
      #expect(msg.contains("truncated") || msg.contains("outside"), "\(n): \(msg)")
    }
    // A flipped byte anywhere in the header: checksum mismatch.
    for at in [0, 9, 20, 30, 60, 100, 200, 4000, 4090] {
      var b = good
      b[at] ^= 0x10
      let msg = try #require(decodeError(b))
      #expect(msg.contains("checksum") || msg.contains("magic"), "byte \(at): \(msg)")
    }
    // Valid checksums over bad fields: offsets, counts, widths, versions.
    func patched(_ edit: (inout IndexFileFormat.Header) -> Void) -> [UInt8] {
      var h = try! good.withUnsafeBytes { try IndexTable.currentHeader($0.baseAddress!, size: good.count) }
      edit(&h)
      var b = good
      b.replaceSubrange(0..<4096, with: h.encoded())
      return b
    }
    let cases: [(String, (inout IndexFileFormat.Header) -> Void)] = [
      ("outside", { $0.segments[0].high = UInt64(good.count) + 64 }),
      ("misaligned", { $0.segments[0].low += 4 }),
      ("do not fit", { $0.segments[0].rows = 1 << 40 }),
      ("row count", { $0.segments[0].rows = 1 << 50 }),
      ("describes", { $0.usedBytes = UInt64(good.count) + 1 }),
      ("panel width", { $0.width = 8 }),
      ("dimension", { $0.dimension = 1 << 30 }),
      ("quantization", { $0.quantization = 7 }),
      ("code blocks", { $0.quantization = 0 }),
      ("removed ids", { $0.tombstoneCount = 1000 }),
      ("live row count", { $0.liveRows += 1 }),
      ("eps", { $0.eps = -.infinity }),
    ]
    for (want, edit) in cases {
      let msg = try #require(decodeError(patched(edit)), "\(want)")
      #expect(msg.contains(want), "expected '\(want)' in: \(msg)")
    }
    // A huge segment count and an unknown version, with valid checksums.
    var b = good
    b[52] = 0xFF
    b[53] = 0xFF
    let sum = IndexFileFormat.checksum(b[0..<4088])
    withUnsafeBytes(of: sum.littleEndian) { for i in 0..<8 { b[4088 + i] = $0[i] } }
    #expect(decodeError(b)?.contains("segment count") == true)
    b = good
    b[8] = 9
    let sum2 = IndexFileFormat.checksum(b[0..<4088])
    withUnsafeBytes(of: sum2.littleEndian) { for i in 0..<8 { b[4088 + i] = $0[i] } }
    #expect(decodeError(b)?.contains("version 9") == true)
    // Not an index file at all, and a missing file.
    #expect(decodeError([UInt8](repeating: 7, count: 9000))?.contains("not a CosineKit index file") == true)
    #expect(throws: NPYError.self) { try CosineIndexFile(mapping: path + ".missing") }
    // The good bytes still open after all this.
    #expect(decodeError(good) == nil)
  }

  /// An in-memory `Float` index becomes an index file with its packed rows copied bit for bit:
  /// the same results, and a file that maps back to them.
  @Test func inMemoryIndexesBecomeFiles() throws {
    let c = randomTensor([300, 24], seed: 1, as: Float.self)
    let q = randomTensor([4, 24], seed: 2, as: Float.self)
    let memory = try CosineIndex(c)
    let file = CosineIndexFile(memory)
    #expect(file.count == 300 && file.ids == Array(0..<300) && file.quantization == .none)
    #expect(try file.search(q, k: 7) == (try memory.search(q, k: 7)))
    let path = temporaryIndexPath("m")
    try file.save(to: path)
    #expect(try CosineIndexFile(mapping: path).search(q, k: 7) == (try memory.search(q, k: 7)))
  }
}
