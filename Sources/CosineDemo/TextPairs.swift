import CosineKit
import Foundation

/// Text pairs embedded by a sentence embedding model: a short text (the query) and a long text
/// (the document) per pair, with both embeddings and the texts needed to show retrievals.
///
/// Two sources are bundled (see `Resources/text/TEXT-README.md` for attribution and the
/// generator, `Scripts/make_text_pairs.py`): `debian`, Debian package synopses → long
/// descriptions, and `python`, first lines of Python standard-library docstrings → the rest.
/// Both are embedded with all-MiniLM-L6-v2 (384 values per text, stored as float16).
public struct TextPairs: Sendable {
  /// The names of the bundled sources.
  public static let bundledSources = ["debian", "python"]

  /// Where the texts come from.
  public var source: String
  /// The model that embedded them.
  public var model: String
  /// A name per pair (package or qualified Python name).
  public var names: [String]
  /// The short texts.
  public var queries: [String]
  /// The long texts, shortened for display.
  public var documents: [String]
  /// `[n, d]` embeddings of the short texts.
  public var queryEmbeddings: Tensor<Float>
  /// `[n, d]` embeddings of the long texts.
  public var documentEmbeddings: Tensor<Float>

  /// The number of pairs.
  public var count: Int { names.count }

  /// Wraps pairs.
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` unless both embeddings are `[n, d]` matrices of
  ///   one shape and there are `n` names, queries and documents.
  public init(
    source: String, model: String, names: [String], queries: [String], documents: [String],
    queryEmbeddings: Tensor<Float>, documentEmbeddings: Tensor<Float>
  ) throws {
    guard queryEmbeddings.rank == 2, queryEmbeddings.shape == documentEmbeddings.shape else {
      throw CosineError.invalidShape(
        "text pair embeddings must be two [n, d] matrices of one shape, got \(Shape.describe(queryEmbeddings.shape)) "
          + "and \(Shape.describe(documentEmbeddings.shape))")
    }
    let n = queryEmbeddings.shape[0]
    guard names.count == n, queries.count == n, documents.count == n else {
      throw CosineError.invalidShape(
        "\(n) embedded pairs but \(names.count) names, \(queries.count) queries and \(documents.count) documents")
    }
    (self.source, self.model, self.names, self.queries, self.documents) = (source, model, names, queries, documents)
    self.queryEmbeddings = queryEmbeddings
    self.documentEmbeddings = documentEmbeddings
  }

  /// Reads `NAME_queries.npy`, `NAME_documents.npy` and `NAME_texts.json` from `directory`.
  ///
  /// - Throws: ``NPYError`` for an unreadable .npy file, ``CosineError`` for a malformed texts
  ///   file or shapes that do not agree.
  public init(directory: String, name: String) throws {
    let base = directory + "/" + name
    let q = try NPY.read(contentsOf: base + "_queries.npy").converted(to: Float.self)
    let d = try NPY.read(contentsOf: base + "_documents.npy").converted(to: Float.self)
    struct Texts: Decodable {
      var source: String
      var model: String
      var names: [String]
      var queries: [String]
      var documents: [String]
    }
    let texts: Texts
    do {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: base + "_texts.json"))
      texts = try JSONDecoder().decode(Texts.self, from: bytes)
    } catch {
      throw CosineError.invalidArgument("\(base)_texts.json: not a text-pairs file (\(error.localizedDescription))")
    }
    try self.init(
      source: texts.source, model: texts.model, names: texts.names, queries: texts.queries,
      documents: texts.documents, queryEmbeddings: q, documentEmbeddings: d)
  }

  /// A bundled source (`debian` or `python`).
  ///
  /// - Throws: as ``init(directory:name:)``; ``CosineError/invalidArgument(_:)`` for another
  ///   name or when the bundle is missing.
  public static func bundled(_ name: String) throws -> TextPairs {
    guard bundledSources.contains(name) else {
      throw CosineError.invalidArgument(
        "unknown text source '\(name)' (bundled: \(bundledSources.joined(separator: ", ")))")
    }
    let dir = try BundledResources.directory(containing: "text/\(name)_texts.json")
    return try TextPairs(directory: dir + "/text", name: name)
  }

  /// The pairs at `indices`, in that order.
  ///
  /// - Precondition: every index is in `0..<count`.
  public func subset(_ indices: [Int]) -> TextPairs {
    // Shapes and counts agree by construction.
    try! TextPairs(
      source: source, model: model, names: indices.map { names[$0] }, queries: indices.map { queries[$0] },
      documents: indices.map { documents[$0] }, queryEmbeddings: queryEmbeddings.gatheringRows(indices),
      documentEmbeddings: documentEmbeddings.gatheringRows(indices))
  }
}
