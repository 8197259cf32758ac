/// The version `cosine --version` prints.
enum CosineVersion {
  /// The package's version: the next release's number until it is tagged.
  static let current = "0.7.0"
}
