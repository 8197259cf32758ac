import CosineKit

/// The digits data set: 8×8 grey-level images of handwritten digits with their labels.
///
/// Pixels are 0…16, row-major (pixel (r, c) of image i is `images[i, 8r + c]`). The data set is
/// "Optical Recognition of Handwritten Digits" (E. Alpaydin, C. Kaynak; UCI Machine Learning
/// Repository, CC BY 4.0), as shipped with scikit-learn's `load_digits`; the demo target
/// bundles a copy with its attribution.
public struct DigitsData: Sendable {
  /// `[n, 64]` pixel values 0…16.
  public let images: Tensor<Float>
  /// `n` labels 0…9.
  public let labels: [Int]

  /// Wraps images and labels.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` unless `images` is `[n, 64]` and there are `n`
  ///   labels, each in 0…9.
  public init(images: Tensor<Float>, labels: [Int]) throws {
    guard images.rank == 2, images.shape[1] == 64 else {
      throw CosineError.invalidShape("digit images must be [n, 64], got \(Shape.describe(images.shape))")
    }
    guard labels.count == images.shape[0] else {
      throw CosineError.invalidShape("\(images.shape[0]) digit images but \(labels.count) labels")
    }
    if let bad = labels.firstIndex(where: { !(0...9).contains($0) }) {
      throw CosineError.invalidShape("digit label \(labels[bad]) at index \(bad) is not in 0...9")
    }
    self.images = images
    self.labels = labels
  }

  /// Reads the two `.npy` files (any numeric dtype; `uint8` as bundled).
  ///
  /// - Throws: ``NPYError`` for an unreadable file, ``CosineError`` for wrong shapes or labels.
  public init(imagesFile: String, labelsFile: String) throws {
    let images = try NPY.read(contentsOf: imagesFile).converted(to: Float.self)
    let labels = try NPY.read(contentsOf: labelsFile).converted(to: Double.self)
    guard labels.rank == 1 else {
      throw CosineError.invalidShape("\(labelsFile): labels must be a vector, got \(Shape.describe(labels.shape))")
    }
    guard labels.scalars.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }) else {
      throw CosineError.invalidShape("\(labelsFile): labels must be integers")
    }
    try self.init(images: images, labels: labels.scalars.map { Int($0) })
  }

  /// The number of images.
  public var count: Int { labels.count }

  /// The top halves (image rows 0–3) and bottom halves (rows 4–7) of every image, as `[n, 32]`
  /// tensors scaled to 0…1.
  public func halves() -> (top: Tensor<Float>, bottom: Tensor<Float>) {
    var top = [Float]()
    var bottom = [Float]()
    top.reserveCapacity(count * 32)
    bottom.reserveCapacity(count * 32)
    for i in 0..<count {
      for p in 0..<32 { top.append(images.scalars[i * 64 + p] / 16) }
      for p in 32..<64 { bottom.append(images.scalars[i * 64 + p] / 16) }
    }
    // The shapes hold the element counts by construction.
    return (try! Tensor(shape: [count, 32], scalars: top), try! Tensor(shape: [count, 32], scalars: bottom))
  }
}
