import CosineCore
import Foundation

/// A BERT encoder (Hugging Face `BertModel`) loaded from a model directory's `config.json` and
/// `model.safetensors`.
///
/// The forward pass: embeddings (word + absolute position + token type 0, LayerNorm), then per
/// layer self-attention `softmax(QKᵀ/√d_head)·V` over the sequence's unmasked tokens, output
/// projection, `LayerNorm(x + ·)`, feed-forward (dense, activation, dense), `LayerNorm(x + ·)`.
public struct BertModel: Sendable {
  /// The encoder's shape.
  public let configuration: BertConfiguration
  let weights: BertWeights<Float>

  /// Loads `directory/config.json` and `directory/model.safetensors` (F32, F16, BF16 or F64
  /// tensors, names with or without the `bert.` prefix).
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file and field of
  ///   anything unreadable, malformed, missing or disagreeing with the configuration.
  public init(contentsOf directory: URL) throws {
    let configuration = try BertConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
    let file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors"))
    self.configuration = configuration
    self.weights = try BertWeights(file: file, configuration: configuration)
  }

  /// A model of `configuration` with `weights` (those of a training run).
  package init(configuration: BertConfiguration, weights: BertWeights<Float>) {
    self.configuration = configuration
    self.weights = weights
  }

  /// The final token states `[batch, length, hidden]` of a padded batch, in `Float`.
  ///
  /// - Parameters:
  ///   - ids: `[batch · length]` token ids, row-major.
  ///   - attentionMask: `[batch · length]`, 1 for real tokens and 0 for padding.
  ///   - batch: rows.
  ///   - length: padded length, at most `max_position_embeddings`.
  /// - Returns: the states; rows under mask 0 are zero (they never influence real tokens).
  /// - Throws: ``EncoderModelError/invalidArgument(name:reason:)`` if the counts disagree, an
  ///   id is outside the vocabulary, a mask value is not 0 or 1, or `length` is too long.
  public func hiddenStates(ids: [Int32], attentionMask: [Int32], batch: Int, length: Int) throws -> Tensor<Float> {
    try Tensor(
      shape: [batch, length, configuration.hiddenSize], scalars: states(weights, ids, attentionMask, batch, length))
  }

  /// ``hiddenStates(ids:attentionMask:batch:length:)`` computed in `Double` from the same
  /// weights: the reference path of the tests.
  public func hiddenStatesDouble(ids: [Int32], attentionMask: [Int32], batch: Int, length: Int) throws -> Tensor<Double>
  {
    let w = weights.converted(to: Double.self)
    return try Tensor(
      shape: [batch, length, configuration.hiddenSize], scalars: states(w, ids, attentionMask, batch, length))
  }

  func states<S: EncoderScalar>(_ w: BertWeights<S>, _ ids: [Int32], _ mask: [Int32], _ batch: Int, _ length: Int)
    throws -> [S]
  {
    let c = configuration
    guard batch >= 0, length >= 0, batch.multipliedReportingOverflow(by: length).partialValue == ids.count,
      !batch.multipliedReportingOverflow(by: length).overflow
    else {
      throw EncoderModelError.invalidArgument(
        name: "ids", reason: "\(ids.count) ids for batch \(batch) × length \(length)")
    }
    guard mask.count == ids.count else {
      throw EncoderModelError.invalidArgument(
        name: "attentionMask", reason: "\(mask.count) values for \(ids.count) ids")
    }
    guard length <= c.maxPositions else {
      throw EncoderModelError.invalidArgument(
        name: "length", reason: "\(length) is over max_position_embeddings \(c.maxPositions)")
    }
    var packed: [Int] = []
    var positions: [Int] = []
    var sequences: [Range<Int>] = []
    for b in 0..<batch {
      let start = packed.count
      for t in 0..<length {
        let i = b * length + t
        guard mask[i] == 0 || mask[i] == 1 else {
          throw EncoderModelError.invalidArgument(
            name: "attentionMask", reason: "value \(mask[i]) at \(i) is not 0 or 1")
        }
        guard mask[i] == 1 else { continue }
        guard ids[i] >= 0, Int(ids[i]) < c.vocabularySize else {
          throw EncoderModelError.invalidArgument(
            name: "ids", reason: "id \(ids[i]) at \(i) is outside the vocabulary of \(c.vocabularySize)")
        }
        packed.append(Int(ids[i]))
        positions.append(t)
      }
      sequences.append(start..<packed.count)
    }
    let h = c.hiddenSize
    var out = [S](repeating: 0, count: batch * length * h)
    guard !packed.isEmpty else { return out }
    let x = BertForward<S>.run(weights: w, configuration: c, ids: packed, positions: positions, sequences: sequences)
    var token = 0
    for b in 0..<batch {
      for t in 0..<length where mask[b * length + t] == 1 {
        let dst = (b * length + t) * h
        for j in 0..<h { out[dst + j] = x[token * h + j] }
        token += 1
      }
    }
    return out
  }
}
