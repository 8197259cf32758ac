import CosineCore
import CosineLosses

extension PairTrainer {
  /// Creates a trainer with a batch loss (in-batch negatives); see ``batchLoss``.
  public init(
    batchLoss: any BatchCosineLoss, epochs: Int = 20, batchSize: Int = 64, learningRate: Double = 1e-3,
    seed: UInt64 = 0
  ) {
    self.init(
      loss: CosineLoss(.cosineDistance()), epochs: epochs, batchSize: batchSize, learningRate: learningRate, seed: seed)
    self.batchLoss = batchLoss
  }

  /// Negatives as `[k, n, w]` blocks: `[n, w]` is one block.
  package static func negativeBlocks<T>(_ x: Tensor<T>, pairs n: Int, width w: Int) throws -> Tensor<T> {
    if x.rank == 2, x.shape == [n, w] { return Tensor(uncheckedShape: [1, n, w], scalars: x.scalars) }
    if x.rank == 3, x.shape[1] == n, x.shape[2] == w { return x }
    throw CosineError.shapeMismatch(
      operation: "negatives (need [n, d′] or [k, n, d′] with the pairs' n and the right rows' d′)", x.shape, [n, w])
  }

  /// The negatives of the pairs `rows`, as `[k·B, w]` rows (block j holds each pair's j-th).
  package static func gather<T>(_ blocks: Tensor<T>, rows: [Int], pairs n: Int) -> Tensor<T> {
    let k = blocks.shape[0]
    let w = blocks.shape[2]
    var out = [T]()
    out.reserveCapacity(k * rows.count * w)
    for j in 0..<k {
      for i in rows { out.append(contentsOf: blocks.scalars[((j * n + i) * w)..<((j * n + i + 1) * w)]) }
    }
    return Tensor(uncheckedShape: [k * rows.count, w], scalars: out)
  }
}
