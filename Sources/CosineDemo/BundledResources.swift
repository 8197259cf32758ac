import CosineKit
import Foundation

/// The data sets bundled with the demos: the digits (`digits_images.npy`, `digits_labels.npy`)
/// and the text pairs (`text/…`), with their attributions.
///
/// SwiftPM copies them into a resource bundle next to the executable. The bundle is looked up
/// by path instead of through `Bundle.module`, whose accessor stops the process when the
/// bundle is missing: a missing bundle is an error naming where it was looked for.
public enum BundledResources {
  /// The bundle's directory names relative to the executable's directory, in search order.
  static let candidates = [
    "CosineKit_CosineDemo.resources/Resources", "CosineKit_CosineDemo.bundle/Contents/Resources/Resources",
    "CosineKit_CosineDemo.bundle/Resources", "CosineKit_CosineDemo.resources",
  ]

  /// The directory holding the bundled files.
  ///
  /// - Parameter file: A file that must exist in it (relative path), for example
  ///   `"digits_images.npy"`.
  /// - Throws: ``CosineError/invalidArgument(_:)`` naming the first place looked in when no
  ///   candidate directory holds `file`.
  /// - Complexity: a few `stat` calls.
  ///
  /// **Edge cases:** when the executable sits in a test bundle (`.xctest`), the directory of the
  /// bundle is searched too.
  public static func directory(containing file: String) throws -> String {
    var bases = [Bundle.main.bundleURL]
    let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
    bases.append(executable)
    for b in Array(bases) where b.path.contains(".xctest") {
      var u = b
      while u.path.contains(".xctest") && u.path != "/" { u.deleteLastPathComponent() }
      bases.append(u)
    }
    let dirs = bases.flatMap { b in candidates.map { b.appendingPathComponent($0).path } }
    for dir in dirs where FileManager.default.fileExists(atPath: dir + "/" + file) {
      return dir
    }
    throw CosineError.invalidArgument(
      "the bundled data set was not found next to the executable (looked for \(file) in \(dirs[0]))")
  }
}
