// swift-tools-version:6.0
import PackageDescription

// Examples that use CosineKit as an application would: as a package dependency. A released
// application writes `.package(url: "https://github.com/ORG/CosineKit", from: "1.0.0")` instead of
// the path.
let package = Package(
  name: "CosineKitExamples",
  platforms: [.macOS(.v11), .iOS(.v14)],
  dependencies: [
    .package(name: "CosineKit", path: "../..")
  ],
  targets: [
    // keras.losses.cosine_similarity, the example of the Keras documentation.
    .executableTarget(
      name: "KerasCosineSimilarity", dependencies: [.product(name: "CosineKit", package: "CosineKit")]),
    // A PyTorch-style CosineSimilarityLoss module with its backward pass.
    .executableTarget(
      name: "PyTorchCosineLoss", dependencies: [.product(name: "CosineKit", package: "CosineKit")]),
    // A Keras-style Siamese network: a shared tower, Dot(normalize=True), mse, Adam.
    .executableTarget(
      name: "SiameseNetwork", dependencies: [.product(name: "CosineKit", package: "CosineKit")]),
    // sentence-transformers util.semantic_search: the best corpus rows for each query.
    .executableTarget(
      name: "SemanticSearch", dependencies: [.product(name: "CosineKit", package: "CosineKit")]),
    // The first lines of a PyTorch / MLX / FAISS user: literals, .npy, .T, norms, (D, I), printing.
    .executableTarget(
      name: "FirstLines", dependencies: [.product(name: "CosineKit", package: "CosineKit")]),
  ]
)
