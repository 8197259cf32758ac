import CosineKit

extension Tensor {
  /// The rows of a matrix at `indices`, in that order (`[indices.count, columns]`).
  ///
  /// - Precondition: the tensor is a matrix and every index is in `0 ..< shape[0]`.
  func gatheringRows(_ indices: [Int]) -> Tensor {
    precondition(rank == 2, "gatheringRows needs a matrix")
    let width = shape[1]
    var out = [Scalar](repeating: 0, count: indices.count * width)
    for (k, i) in indices.enumerated() {
      precondition(i >= 0 && i < shape[0], "row \(i) of \(shape[0])")
      for j in 0..<width { out[k * width + j] = scalars[i * width + j] }
    }
    return try! Tensor(shape: [indices.count, width], scalars: out)
  }
}
