import Foundation

/// The committed tiny model directories and their float64 references.
enum Fixtures {
  /// Every fixture directory's name.
  static let names = ["minilm", "bge", "e5", "gte", "multi", "plain"]

  /// `Tests/CosineEncodersTests/Fixtures`, found from this file's path.
  static var root: URL {
    var url = URL(fileURLWithPath: #filePath)
    while url.lastPathComponent != "Tests", url.path != "/" { url.deleteLastPathComponent() }
    return url.appendingPathComponent("CosineEncodersTests/Fixtures")
  }

  /// The tokenizer fixtures (`Scripts/make_tokenizer_fixtures.py`).
  static let tokenizerNames = ["uncased", "cased", "lowercase-keep-accents", "strip-cased", "vocab-only"]

  /// A tokenizer fixture's directory.
  static func tokenizerDirectory(_ name: String) -> URL { root.appendingPathComponent("tokenizers/\(name)") }

  /// A fixture's directory.
  static func directory(_ name: String) -> URL { root.appendingPathComponent(name) }

  /// A fixture's reference: the padded batch and the float64 outputs of the torch model.
  struct Reference {
    let ids: [Int32]
    let mask: [Int32]
    let batch: Int
    let length: Int
    let states: [Double]
    let pooled: [Double]
    let embeddings: [Double]
  }

  static func reference(_ name: String) throws -> Reference {
    let data = try Data(contentsOf: directory(name).appendingPathComponent("reference.json"))
    let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    let ids = (json["ids"] as! [[NSNumber]])
    let mask = (json["mask"] as! [[NSNumber]])
    func doubles(_ key: String) -> [Double] { (json[key] as! [NSNumber]).map(\.doubleValue) }
    return Reference(
      ids: ids.flatMap { $0.map(\.int32Value) }, mask: mask.flatMap { $0.map(\.int32Value) }, batch: ids.count,
      length: ids[0].count, states: doubles("states"), pooled: doubles("pooled"), embeddings: doubles("embeddings"))
  }

  /// The largest `|a − b|` over positions where `include` holds.
  static func maxDifference<A: BinaryFloatingPoint>(_ a: [A], _ b: [Double], include: (Int) -> Bool = { _ in true })
    -> Double
  {
    var worst = 0.0
    for i in 0..<min(a.count, b.count) where include(i) { worst = max(worst, abs(Double(a[i]) - b[i])) }
    return a.count == b.count ? worst : .infinity
  }

  /// The largest `|b|`.
  static func magnitude(_ b: [Double]) -> Double { b.map(abs).max() ?? 0 }
}
