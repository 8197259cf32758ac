// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "CosineKit",
  // Apple platforms: Float16 (macOS 11 on Apple silicon, iOS 14); Swift concurrency needs less.
  platforms: [.macOS(.v11), .iOS(.v14)],
  products: [
    .library(name: "CosineKit", targets: ["CosineKit"]),
    .library(name: "CosineCore", targets: ["CosineCore"]),
    .library(name: "CosineLosses", targets: ["CosineLosses"]),
    .library(name: "CosineSearch", targets: ["CosineSearch"]),
    .library(name: "CosineTraining", targets: ["CosineTraining"]),
    .library(name: "CosineAnalysis", targets: ["CosineAnalysis"]),
    .library(name: "CosineEncoders", targets: ["CosineEncoders"]),
    .executable(name: "cosine", targets: ["cosine"]),
    .executable(name: "cosine-bench", targets: ["CosineBench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    // HeapModule: the bounded best-k selection of index-file searches.
    .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    // `swift package generate-documentation --target CosineKit` (DocC); no code of its own.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    // The C kernels (row kernels, packed GEMM and top-k search, losses, quantized passes), one
    // folder per concern, with per-function `target` attributes and one run-time CPU dispatch.
    // No unsafe flags: the package stays usable as a versioned dependency.
    .target(name: "CCosineKernels"),
    // The library, in layers: each target imports only those below it, and `CosineKit` re-exports
    // them all (`import CosineKit` is the whole library). See the Architecture article.
    .target(
      name: "CosineCore",
      dependencies: [
        "CCosineKernels",
        .product(name: "RealModule", package: "swift-numerics"),
        .product(name: "SystemPackage", package: "swift-system"),
      ]
    ),
    .target(name: "CosineLosses", dependencies: ["CosineCore", "CCosineKernels"]),
    .target(
      name: "CosineSearch",
      dependencies: [
        "CosineCore", "CCosineKernels", .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "HeapModule", package: "swift-collections"),
      ]
    ),
    .target(
      name: "CosineTraining",
      dependencies: [
        "CosineCore", "CosineLosses", .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    .target(name: "CosineAnalysis", dependencies: ["CosineCore", "CosineSearch", "CCosineKernels"]),
    // Sentence encoders: BERT model directories, the forward pass and pooling, tokenizers,
    // and their fine-tuning with the batch losses.
    .target(name: "CosineEncoders", dependencies: ["CosineCore", "CCosineKernels", "CosineLosses", "CosineTraining"]),
    .target(
      name: "CosineKit",
      dependencies: ["CosineCore", "CosineLosses", "CosineSearch", "CosineTraining", "CosineAnalysis"]
    ),
    // The demos of `cosine demo` with their data sets and HTML reports; not a product.
    .target(name: "CosineDemo", dependencies: ["CosineKit"], resources: [.copy("Resources")]),
    .executableTarget(
      name: "cosine",
      dependencies: [
        "CosineKit",
        "CosineEncoders",
        "CCosineKernels",
        "CosineDemo",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "SystemPackage", package: "swift-system"),
      ]
    ),
    // The benchmark's memory-bandwidth probe (a plain vector sum), not part of the library.
    .target(name: "CBenchSupport", path: "Sources/CBenchSupport"),
    .executableTarget(
      name: "CosineBench",
      dependencies: [
        "CosineKit",
        "CosineCore",
        "CosineEncoders",
        "CBenchSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // libFuzzer target for the .npy reader; see Scripts/fuzz.sh. A plain build gives a
    // program that replays inputs: `swift run NPYFuzz FILE...`.
    .executableTarget(name: "NPYFuzz", dependencies: ["CosineKit"]),
    // The tests' shared toolkit: seeded data, closeness and ulp checks, references, finite differences.
    .target(
      name: "CosineTestSupport", dependencies: ["CosineKit", "CosineCore"], path: "Tests/CosineTestSupport"),
    .testTarget(
      name: "CosineKitTests",
      dependencies: [
        "CosineKit", "CosineCore", "CosineLosses", "CosineSearch", "CosineTraining", "CosineAnalysis", "CCosineKernels",
        "CosineTestSupport",
      ],
      exclude: ["Fixtures"]  // .npy fixtures read by path, not resources
    ),
    .testTarget(
      name: "CosineCLITests",
      dependencies: [
        "CosineKit", "CosineCore", "CosineLosses", "CosineSearch", "CosineTraining", "cosine", "CosineTestSupport",
      ]
    ),
    .testTarget(
      name: "CosineEncodersTests", dependencies: ["CosineEncoders", "CosineCore"],
      exclude: ["Fixtures"]  // model directories read by path, not resources
    ),
    .testTarget(name: "CosineDemoTests", dependencies: ["CosineKit", "CosineDemo"]),
  ]
)
