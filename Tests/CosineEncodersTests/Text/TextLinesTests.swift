import CosineEncoders
import Foundation
import Testing

/// Reading texts: lines, JSON lines, and the errors that name the line.
@Suite struct TextLinesTests {
  func file(_ name: String, _ bytes: [UInt8]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("texts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  @Test func linesKeepEmptyTextsAndDropLineEnds() throws {
    let path = try file("t.txt", Array("one\r\n\ntwo  \nthree".utf8))
    #expect(try TextLines.read(contentsOf: path) == ["one", "", "two  ", "three"])
    #expect(try TextLines.read(contentsOf: try file("u.txt", Array("a\n".utf8))) == ["a"])
    #expect(try TextLines.read(contentsOf: try file("e.txt", [])) == [])
  }

  @Test func jsonLinesCarryNewlines() throws {
    let text = "{\"text\": \"line\\nbreak\", \"id\": 3}\n\n\"bare\"\n"
    #expect(try TextLines.read(contentsOf: try file("t.jsonl", Array(text.utf8))) == ["line\nbreak", "bare"])
    #expect {
      try TextLines.read(contentsOf: try file("b.jsonl", Array("{\"text\": 1}\n".utf8)))
    } throws: { "\($0)".hasSuffix("b.jsonl: line 1: is not a JSON object with a string field 'text'") }
  }

  @Test func invalidUTF8NamesTheLine() throws {
    let path = try file("bad.txt", Array("fine\nalso fine\n".utf8) + [0x61, 0xC3, 0x28, 0x0A])
    #expect { try TextLines.read(contentsOf: path) } throws: {
      "\($0)".hasSuffix("bad.txt: line 3: is not valid UTF-8")
    }
  }

  @Test func longLinesSpanReads() throws {
    // Lines longer than one read of the file, and the limit on a single line.
    let long = String(repeating: "x", count: 3 << 20)
    let path = try file("long.txt", Array((long + "\nshort\n" + long).utf8))
    let lines = try TextLines.read(contentsOf: path)
    #expect(lines.map(\.count) == [3 << 20, 5, 3 << 20])
    #expect { try TextLines.read(contentsOf: path, maximumLineBytes: 1 << 20) } throws: {
      "\($0)".hasSuffix("long.txt: line 1: is longer than 1048576 bytes")
    }
    #expect { try TextLines.read(contentsOf: "/nonexistent/texts.txt") } throws: {
      "\($0)" == "/nonexistent/texts.txt: cannot be opened for reading"
    }
  }
}
