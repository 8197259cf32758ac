import CosineCore

/// BERT's input embeddings before their LayerNorm, `x = word[id] + position[p] + tokenType[0]`,
/// and their derivative: each token's gradient is added to its word row, its position row and
/// token-type row 0 (the rows a batch does not touch get none, as PyTorch's dense gradient holds
/// zeros there).
package enum EmbeddingOp<Scalar: EncoderScalar> {
  /// `x` (`[tokens, hidden]`) of the packed `ids` at `positions`.
  package static func forward(
    _ parameters: UnsafePointer<Scalar>, layout: BertParameterLayout, ids: [Int], positions: [Int],
    into x: UnsafeMutablePointer<Scalar>
  ) {
    let h = layout.configuration.hiddenSize
    let word = parameters + layout.wordEmbeddings
    let position = parameters + layout.positionEmbeddings
    let type0 = parameters + layout.tokenTypeEmbeddings
    Parallel.forEachRange(ids.count, costPerItem: 3 * h) { range in
      for i in range {
        let w = word + ids[i] * h
        let p = position + positions[i] * h
        for j in 0..<h { x[i * h + j] = w[j] + p[j] + type0[j] }
      }
    }
  }

  /// Adds `dx`'s rows into the gradients of the three tables; threads split the hidden columns,
  /// so no two write one value.
  package static func backward(
    _ dx: UnsafePointer<Scalar>, layout: BertParameterLayout, ids: [Int], positions: [Int],
    into gradients: UnsafeMutablePointer<Scalar>
  ) {
    let h = layout.configuration.hiddenSize
    let word = gradients + layout.wordEmbeddings
    let position = gradients + layout.positionEmbeddings
    let type0 = gradients + layout.tokenTypeEmbeddings
    Parallel.forEachRange(h, costPerItem: 3 * ids.count) { columns in
      for i in 0..<ids.count {
        let row = dx + i * h
        let w = word + ids[i] * h
        let p = position + positions[i] * h
        for j in columns {
          w[j] += row[j]
          p[j] += row[j]
          type0[j] += row[j]
        }
      }
    }
  }
}
