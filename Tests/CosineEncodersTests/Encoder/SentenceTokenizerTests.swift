import Foundation
import Testing

@testable import CosineEncoders

@Suite struct SentenceTokenizerTests {
  /// The tokenizer alone gives the encoder's ids, and loads from a directory without weights.
  @Test func tokenizesAsTheEncoderWithoutWeights() throws {
    let source = Fixtures.directory("minilm")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sentence-tokenizer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.copyItem(at: source, to: dir)
    try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
    let tokenizer = try SentenceTokenizer(contentsOf: dir)
    let encoder = try SentenceEncoder(contentsOf: source)
    #expect(throws: EncoderModelError.self) { _ = try SentenceEncoder(contentsOf: dir) }
    #expect(tokenizer.maxLengthRange == encoder.maxLengthRange)
    #expect(tokenizer.maxSequenceLength == encoder.maxSequenceLength)
    for text in ["Hello, world!", "ΟΔΥΣΣΕΥΣ naïve café", "", String(repeating: "word ", count: 50)] {
      #expect(tokenizer.tokenize(text) == encoder.tokenize(text))
      #expect(tokenizer.tokenize(text, maxLength: 4) == encoder.tokenize(text, maxLength: 4))
    }
  }
}
