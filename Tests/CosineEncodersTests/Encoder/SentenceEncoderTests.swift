import CosineCore
import CosineEncoders
import Foundation
import Synchronization
import Testing

/// Text to embeddings against the float64 torch model on the ids Hugging Face `tokenizers` gives
/// (`Fixtures/minilm/text.json`, from `Scripts/make_tokenizer_fixtures.py`).
@Suite struct SentenceEncoderTests {
  struct Case: Decodable {
    let text: String
    let ids: [Int32]
    let embedding: [Double]
  }

  let encoder: SentenceEncoder
  let cases: [Case]

  init() throws {
    encoder = try SentenceEncoder(contentsOf: Fixtures.directory("minilm"))
    let url = Fixtures.directory("minilm").appendingPathComponent("text.json")
    cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
  }

  @Test func idsAreTheReferenceLibrarys() {
    for c in cases { #expect(encoder.tokenize(c.text) == c.ids, "\(c.text.debugDescription)") }
    #expect(cases.contains { $0.ids.count == encoder.maxSequenceLength }, "one text is truncated")
  }

  @Test(arguments: [1, 3, 32])
  func embeddingsMatchTheReferenceForAnyBatchSize(_ batchSize: Int) throws {
    let e = try encoder.encode(cases.map(\.text), batchSize: batchSize)
    let d = encoder.dimension
    #expect(e.shape == [cases.count, d])
    for (i, c) in cases.enumerated() {
      let row = e.scalars[(i * d)..<((i + 1) * d)]
      let err = zip(row, c.embedding).map { abs(Double($0) - $1) }.max() ?? 0
      // Unit vectors of 32 components in Float: 1e-5 is about 100 ulps of the largest.
      #expect(err < 1e-5, "text \(i): max |diff| \(err)")
    }
    let exact = try encoder.encodeDouble(cases.map(\.text), batchSize: batchSize)
    for (i, c) in cases.enumerated() {
      let err = zip(exact.scalars[(i * d)..<((i + 1) * d)], c.embedding).map { abs($0 - $1) }.max() ?? 0
      #expect(err < 1e-12, "text \(i) in Double: max |diff| \(err)")
    }
  }

  @Test func asyncFormAndProgress() async throws {
    let texts = cases.map(\.text)
    let sync = try blocking(texts)
    let reported = Mutex<[Int]>([])
    let async = try await encoder.encode(texts, batchSize: 3) { done, total in
      #expect(total == texts.count)
      reported.withLock { $0.append(done) }
    }
    #expect(async.shape == sync.shape)
    #expect(zip(async.scalars, sync.scalars).allSatisfy { abs($0 - $1) <= 1e-6 })
    #expect(reported.withLock { $0 } == [3, 6, 8])
  }

  /// The synchronous form (an async context picks the async overload).
  func blocking(_ texts: [String]) throws -> Tensor<Float> { try encoder.encode(texts, batchSize: 3) }

  @Test func emptyInputAndBadArguments() throws {
    #expect(try encoder.encode([]).shape == [0, encoder.dimension])
    #expect(throws: EncoderModelError.self) { try encoder.encode(["a"], batchSize: 0) }
    #expect(throws: EncoderModelError.self) { try encoder.encode(["a"], maxLength: 2) }
    #expect(throws: EncoderModelError.self) { try encoder.encode(["a"], maxLength: 17) }
    let short = try encoder.encode(["a b c d e f g h i j k l m n o p"], maxLength: 4)
    let ids = encoder.tokenize("a b c d e f g h i j k l m n o p", maxLength: 4)
    #expect(ids.count == 4)
    let direct = try encoder.model.embeddings(ids: ids, attentionMask: [1, 1, 1, 1], batch: 1, length: 4)
    #expect(zip(short.scalars, direct.scalars).allSatisfy { abs($0 - $1) <= 1e-6 })
  }
}
