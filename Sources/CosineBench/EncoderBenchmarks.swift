import CosineEncoders
import Foundation

/// `encode_minilm`: sentence embeddings of pre-tokenized texts with a BERT model directory.
///
/// Environment: `COSINE_MINILM_DIR` (the model directory), `COSINE_MINILM_IDS` (a JSON list of
/// token-id lists, one per text, `[CLS] … [SEP]` included), optional `COSINE_MINILM_OUT` (a raw
/// little-endian float32 file receiving the embeddings `[texts, dimension]` in input order) and
/// `COSINE_MINILM_BATCH` (default 32). Texts are sorted longest first and batched, padded to each
/// batch's longest, as sentence-transformers' `encode` does.
enum EncoderBenchmarks {
  /// Thrown by `prepare` when the environment does not name a model: the run prints and skips.
  struct Skipped: Error, CustomStringConvertible {
    let description: String
  }

  static var all: [Benchmark] { [encodeMiniLM] }

  static let environment = ProcessInfo.processInfo.environment

  /// The texts' token ids, or nil when `COSINE_MINILM_IDS` is unset or unreadable.
  static let texts: [[Int32]]? = {
    guard let path = environment["COSINE_MINILM_IDS"], let data = FileManager.default.contents(atPath: path),
      let lists = (try? JSONSerialization.jsonObject(with: data)) as? [[NSNumber]]
    else { return nil }
    return lists.map { $0.map(\.int32Value) }
  }()

  /// Multiply-adds ×2 of the forward pass of all-MiniLM-L6-v2's shape over `texts`.
  static var flops: Double {
    let (h, i, layers) = (384.0, 1536.0, 6.0)
    return (texts ?? []).reduce(0) { total, ids in
      let n = Double(ids.count)
      return total + layers * (n * 2 * (4 * h * h + 2 * h * i) + 4 * n * n * h)
    }
  }

  static let encodeMiniLM = Benchmark(
    name: "encode_minilm", summary: "BERT sentence embeddings of COSINE_MINILM_IDS with COSINE_MINILM_DIR",
    bytes: 0, flops: flops
  ) {
    guard let dir = environment["COSINE_MINILM_DIR"] else {
      throw Skipped(description: "encode_minilm: skipped, COSINE_MINILM_DIR is not set")
    }
    guard let texts else {
      throw Skipped(description: "encode_minilm: skipped, COSINE_MINILM_IDS is not set or not a JSON list of id lists")
    }
    let model = try SentenceEncoderModel(contentsOf: URL(fileURLWithPath: dir))
    let batchSize = Int(environment["COSINE_MINILM_BATCH"] ?? "") ?? 32
    let order = texts.indices.sorted { texts[$0].count > texts[$1].count }
    let out = environment["COSINE_MINILM_OUT"]
    return {
      var result = [Float](repeating: 0, count: texts.count * model.dimension)
      for start in stride(from: 0, to: order.count, by: batchSize) {
        let rows = Array(order[start..<min(start + batchSize, order.count)])
        let length = rows.map { texts[$0].count }.max() ?? 0
        var ids = [Int32](repeating: 0, count: rows.count * length)
        var mask = [Int32](repeating: 0, count: rows.count * length)
        for (r, t) in rows.enumerated() {
          for (j, id) in texts[t].enumerated() {
            ids[r * length + j] = id
            mask[r * length + j] = 1
          }
        }
        let e = try model.embeddings(ids: ids, attentionMask: mask, batch: rows.count, length: length)
        for (r, t) in rows.enumerated() {
          for j in 0..<model.dimension { result[t * model.dimension + j] = e.scalars[r * model.dimension + j] }
        }
      }
      if let out {
        let data = result.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: URL(fileURLWithPath: out), options: .atomic)
      }
    }
  }
}
