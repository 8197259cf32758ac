import CosineEncoders
import Foundation

/// `encode_minilm`: sentence embeddings of texts with a BERT model directory, tokenization
/// included, as `SentenceTransformer.encode` does them.
///
/// Environment: `COSINE_MINILM_DIR` (the model directory), `COSINE_MINILM_TEXTS` (a text file, one
/// text per line, or `.jsonl`), optional `COSINE_MINILM_MAX_LENGTH` (default 256),
/// `COSINE_MINILM_BATCH` (default 32) and `COSINE_MINILM_OUT` (a raw little-endian
/// float32 file receiving the embeddings `[texts, dimension]` in input order).
enum EncoderBenchmarks {
  /// Thrown by `prepare` when the environment does not name a model: the run prints and skips.
  struct Skipped: Error, CustomStringConvertible {
    let description: String
  }

  static var all: [Benchmark] { [encodeMiniLM] }

  static let environment = ProcessInfo.processInfo.environment

  /// The encoder and the texts, or nil when the environment does not name them.
  static let setup: (encoder: SentenceEncoder, texts: [String])? = {
    guard let dir = environment["COSINE_MINILM_DIR"], let path = environment["COSINE_MINILM_TEXTS"],
      let encoder = try? SentenceEncoder(contentsOf: URL(fileURLWithPath: dir)),
      let texts = try? TextLines.read(contentsOf: path)
    else { return nil }
    return (encoder, texts)
  }()

  static let maxLength = Int(environment["COSINE_MINILM_MAX_LENGTH"] ?? "") ?? 256

  /// Multiply-adds ×2 of the forward pass over the texts' tokens (projections, feed-forward and
  /// the two attention products), from the model's shape.
  static var flops: Double {
    guard let (encoder, texts) = setup else { return 0 }
    let c = encoder.model.bert.configuration
    let (h, i, layers) = (Double(c.hiddenSize), Double(c.intermediateSize), Double(c.layerCount))
    return texts.reduce(0) { total, text in
      let n = Double(encoder.tokenize(text, maxLength: maxLength).count)
      return total + layers * (n * 2 * (4 * h * h + 2 * h * i) + 4 * n * n * h)
    }
  }

  static let encodeMiniLM = Benchmark(
    name: "encode_minilm",
    summary: "sentence embeddings of COSINE_MINILM_TEXTS with COSINE_MINILM_DIR (tokenizing included)",
    bytes: 0, flops: flops
  ) {
    guard environment["COSINE_MINILM_DIR"] != nil, environment["COSINE_MINILM_TEXTS"] != nil else {
      throw Skipped(description: "encode_minilm: skipped, COSINE_MINILM_DIR or COSINE_MINILM_TEXTS is not set")
    }
    guard let (encoder, texts) = setup else {
      throw Skipped(description: "encode_minilm: skipped, COSINE_MINILM_DIR or COSINE_MINILM_TEXTS cannot be read")
    }
    let batchSize = Int(environment["COSINE_MINILM_BATCH"] ?? "") ?? 32
    let out = environment["COSINE_MINILM_OUT"]
    return {
      let e = try encoder.encode(texts, batchSize: batchSize, maxLength: maxLength)
      if let out {
        let data = e.scalars.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: URL(fileURLWithPath: out), options: .atomic)
      }
    }
  }
}
