import CosineKit
import Foundation
import Testing

/// `cosine tokenize`, `cosine embed-text` and `cosine search --text` on the tiny `minilm` model
/// fixture, whose references come from Hugging Face tokenizers and torch in float64.
@Suite(.serialized) struct TextCLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-text")

  struct Case: Decodable {
    let text: String
    let ids: [Int32]
    let embedding: [Double]
  }

  /// The `minilm` fixture directory.
  var model: String {
    var url = URL(fileURLWithPath: #filePath)
    while url.lastPathComponent != "Tests", url.path != "/" { url.deleteLastPathComponent() }
    return url.appendingPathComponent("CosineEncodersTests/Fixtures/minilm").path
  }

  var cases: [Case] {
    get throws {
      try JSONDecoder().decode([Case].self, from: Data(contentsOf: URL(fileURLWithPath: model + "/text.json")))
    }
  }

  /// The cases as a `.jsonl` file (some contain newlines).
  func casesFile() throws -> String {
    let lines = try cases.map { c -> String in
      String(decoding: try JSONSerialization.data(withJSONObject: ["text": c.text]), as: UTF8.self)
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: path("cases.jsonl"), atomically: true, encoding: .utf8)
    return path("cases.jsonl")
  }

  @Test func tokenizePrintsTheReferenceIds() throws {
    let r = try run(["tokenize", "--model", model, try casesFile()])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    let expected = try cases.map(\.ids)
    #expect(lines.count == expected.count)
    for (line, ids) in zip(lines, expected) {
      #expect(try JSONDecoder().decode([Int32].self, from: Data(line.utf8)) == ids)
    }
    let short = try run(["tokenize", "--model", model, "--max-length", "3", try casesFile()])
    #expect(short.stdout.split(separator: "\n").allSatisfy { $0.split(separator: ",").count <= 3 })
  }

  @Test func embedTextWritesTheReferenceEmbeddings() throws {
    let out = path("e.npy")
    let r = try run(["embed-text", "--model", model, try casesFile(), "-o", out, "--batch-size", "3"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("embedded: 8 texts"))
    let e = try NPY.read(contentsOf: out)
    guard case .float32(let t) = e else {
      Issue.record("embeddings are not float32")
      return
    }
    let all = try cases
    #expect(t.shape == [all.count, 32])
    for (i, c) in all.enumerated() {
      let err = zip(t.scalars[(i * 32)..<((i + 1) * 32)], c.embedding).map { abs(Double($0) - $1) }.max() ?? 0
      #expect(err < 1e-5, "text \(i): \(err)")
    }
  }

  @Test func searchByTextPrintsTheHitsText() throws {
    let docs = ["hello world", "the singing", "zzz", "hello hello world"]
    try (docs.joined(separator: "\n") + "\n").write(toFile: path("docs.txt"), atomically: true, encoding: .utf8)
    let e = path("docs.npy")
    #expect(try run(["embed-text", "--model", model, path("docs.txt"), "-o", e]).status == 0)
    #expect(try run(["index", "build", e, "-o", path("docs.index")]).status == 0)
    let r = try run([
      "search", "--index", path("docs.index"), "--model", model, "--text", "hello world", "--texts", path("docs.txt"),
      "-k", "2",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "query 0: hello world")
    #expect(
      lines.count == 3 && lines[1].hasPrefix("  1\tcorpus 0\tscore ") && lines[1].hasSuffix("\thello world"),
      "\(r.stdout)")
    // The same search from --corpus, as JSON.
    let j = try run([
      "search", "--corpus", e, "--model", model, "--text", "zzz", "--texts", path("docs.txt"), "-k", "1", "--format",
      "json",
    ])
    #expect(
      j.stdout.hasPrefix("{\"query\": 0, \"query_text\": \"zzz\", \"results\": [{\"corpus_id\": 2, "),
      "\(j.stdout) \(j.stderr)")
    #expect(j.stdout.contains("\"text\": \"zzz\""))
  }

  @Test func mistakesAreOneLine() throws {
    let texts = path("t.txt")
    try "a\n".write(toFile: texts, atomically: true, encoding: .utf8)
    try Data([0x61, 0x0A, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path("bad.txt")))
    let cases: [([String], String)] = [
      (["embed-text", "--model", dir, texts, "-o", path("x.npy")], "config.json"),
      (["embed-text", "--model", texts, texts, "-o", path("x.npy")], "--model must be a model directory"),
      (["embed-text", "--model", model, path("bad.txt"), "-o", path("x.npy")], "bad.txt: line 2: is not valid UTF-8"),
      (
        ["embed-text", "--model", model, texts, "-o", path("x.npy"), "--max-length", "99"],
        "--max-length must be in 3...16"
      ),
      (
        ["embed-text", "--model", model, texts, "-o", path("x.npy"), "--batch-size", "0"],
        "--batch-size must be at least 1"
      ),
      (["tokenize", "--model", model, path("missing.txt")], "missing.txt: cannot be opened for reading"),
      (["search", "--corpus", texts, "--text", "a"], "--text needs --model"),
      (
        ["search", "--corpus", texts, "--queries", texts, "--text", "a", "--model", model], "either --queries or --text"
      ),
    ]
    for (args, message) in cases {
      let r = try run(args)
      #expect(
        r.status != 0 && r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1,
        "\(args): \(r.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: path("x.npy")))
  }
}
