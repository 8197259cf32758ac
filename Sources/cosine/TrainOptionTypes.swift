import ArgumentParser
import CosineKit

/// `--activation`: the library's ``Activation`` names (`none` and `identity` also mean linear).
extension Activation: ExpressibleByArgument {
  public init?(argument: String) { self.init(name: argument) }
}

/// `--layers 64,32`: the widths of a tower's layers after its input, each at least 1.
struct LayerWidths: ExpressibleByArgument, CustomStringConvertible {
  /// The widths, in order; the last is the embedding width.
  let sizes: [Int]

  init(sizes: [Int]) { self.sizes = sizes }

  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingPrefix(" ")) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
    sizes = parts.map { $0! }
  }

  var description: String { sizes.map(String.init).joined(separator: ",") }
  var defaultValueDescription: String { description }
  static var defaultCompletionKind: CompletionKind { .default }
}
