import CosineKit
import CosineTestSupport
import Foundation

/// What one run of the `cosine` executable returned.
struct CLIResult {
  let status: Int32
  let stdout: String
  let stderr: String
}

/// Where the suites that run the `cosine` executable find it and keep their files.
enum CLITestSupport {
  /// The `cosine` executable built beside this test bundle: SwiftPM puts every product of a
  /// build in one products directory, which holds the test bundle on macOS (`*.xctest`, loaded by
  /// a runner that lives elsewhere) and the test executable itself on Linux.
  static let binary: String = productsDirectory.appendingPathComponent("cosine").path

  /// The build's products directory.
  static let productsDirectory: URL = {
    #if os(macOS)
      for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
      }
      fatalError("no .xctest bundle is loaded: cannot find the products directory")
    #else
      return Bundle.main.bundleURL
    #endif
  }()

  /// Creates and returns a new, uniquely named directory under the temporary directory.
  static func makeTemporaryDirectory(prefix: String) -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }
}

/// A suite that runs the `cosine` executable on .npy fixtures kept in its own directory.
protocol CLITestCase {
  /// The suite's temporary directory for fixtures and outputs.
  var dir: String { get }
}

extension CLITestCase {
  /// Runs the executable with `args` and collects its exit status, stdout and stderr.
  func run(_ args: [String]) throws -> CLIResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CLITestSupport.binary)
    p.arguments = args
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CLIResult(
      status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }

  /// The path of `name` in the suite's directory.
  func path(_ name: String) -> String { dir + "/" + name }

  /// Writes `t` as `name` in the suite's directory and returns its path.
  func save<T: TensorScalar>(_ t: Tensor<T>, _ name: String) throws -> String {
    let file = path(name)
    try NPY.write(AnyTensor(t), to: file)
    return file
  }

  /// Writes `ids` as a 1-D int64 .npy file `name` in the suite's directory and returns its path.
  func saveIDs(_ ids: [Int], _ name: String) throws -> String {
    let file = path(name)
    try NPY.writeInt64(ids.map { Int64($0) }, shape: [ids.count], to: file)
    return file
  }

  /// A `rows`×`cols` matrix of seeded values in [-1, 1] (steps of 0.001).
  func random(_ rows: Int, _ cols: Int, seed: UInt64) -> Tensor<Float> { gridMatrix(rows, cols, seed: seed) }

  /// Rows `r` of the matrix `t`.
  func rows(_ t: Tensor<Float>, _ r: Range<Int>) -> Tensor<Float> {
    let d = t.shape[1]
    return try! Tensor(shape: [r.count, d], scalars: Array(t.scalars[r.lowerBound * d..<r.upperBound * d]))
  }
}
