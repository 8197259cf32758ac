import CosineKit
import Foundation
import Testing

@testable import CosineDemo

/// The text demo's experiment at reduced size (debug builds are slow).
@Suite struct TextExperimentTests {
  static let resources: String = {
    let file = #filePath
    return String(file[..<file.range(of: "/Tests/")!.lowerBound]) + "/Sources/CosineDemo/Resources/text"
  }()

  @Test(arguments: TextPairs.bundledSources)
  func bundledPairsLoad(source: String) throws {
    let p = try TextPairs(directory: Self.resources, name: source)
    #expect(p.count >= 1000)
    #expect(p.queryEmbeddings.shape == [p.count, 384] && p.documentEmbeddings.shape == [p.count, 384])
    #expect(Set(p.names).count == p.count || source == "python")
    #expect(Set(p.queries.map { $0.lowercased() }).count == p.count)  // one relevant document per query
    // The model normalizes its embeddings: float16 storage keeps norms within ~1e-3 of 1.
    for r in stride(from: 0, to: p.count, by: 97) {
      let row = p.queryEmbeddings.scalars[(r * 384)..<((r + 1) * 384)]
      let norm = row.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
      #expect(abs(norm - 1) < 5e-3, "row \(r) norm \(norm)")
    }
  }

  /// The bundled text data stays within the package's budget of about 10 MB (10.5 MB here).
  @Test func bundledTextFitsTheSizeBudget() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.resources)
    var bytes = 0
    for name in names {
      let attributes = try FileManager.default.attributesOfItem(atPath: Self.resources + "/" + name)
      bytes += (attributes[.size] as? Int) ?? 0
    }
    #expect(names.contains("debian_queries.npy") && names.contains("python_documents.npy"))
    #expect(bytes > 0 && bytes <= 10_500_000, "bundled text data: \(bytes) bytes")
  }

  static func small() throws -> TextPairs {
    let all = try TextPairs(directory: resources, name: "python")
    return all.subset(Array(0..<400))
  }

  @Test func reducedRunImprovesHeldOutRetrievalAndWritesAReport() throws {
    let data = try Self.small()
    var e = TextExperiment()
    e.heldOutFraction = 0.25
    e.training.epochs = 4
    e.training.learningRate = 1e-3
    e.rank = 16
    var seen: [Int] = []
    let o = try e.run(on: data) { seen.append($0.number) }
    #expect(seen == [1, 2, 3, 4])
    #expect(o.heldOut.count == 100 && o.training.count == 300)
    #expect(Set(o.heldOut).isDisjoint(with: o.training))
    #expect(o.losses.last! < o.losses.first!, "losses \(o.losses)")
    #expect(o.trainingAfter.recall[1]! > o.trainingBefore.recall[1]!)
    #expect(o.after.mrr[10]! > o.before.mrr[10]!, "MRR \(o.before.mrr[10]!) → \(o.after.mrr[10]!)")
    #expect(o.examples.count == 6 && o.examples.allSatisfy { $0.before.count == 3 && $0.after.count == 3 })
    #expect(o.similaritiesBefore.matched.count == 100 && o.similaritiesAfter.unmatched.count == 100)
    // Frozen metrics are those of the raw embeddings, on the search engine.
    let held = data.subset(o.heldOut)
    let raw = try RetrievalMetrics(queries: held.queryEmbeddings, index: CosineIndex(held.documentEmbeddings))
    #expect(raw == o.before)

    let html = TextReport(outcome: o, data: data).html()
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<polyline") && html.contains("✓"))
    #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("src="))
    #expect(html.replacing("xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http") == false)
  }

  @Test func sameSeedSameNumbers() throws {
    let data = try Self.small().subset(Array(0..<120))
    var e = TextExperiment()
    e.training.epochs = 2
    e.rank = 4
    let a = try e.run(on: data)
    let b = try e.run(on: data)
    #expect(a.losses == b.losses && a.after == b.after && a.heldOut == b.heldOut)
    e.seed = 1
    #expect(try e.run(on: data).heldOut != a.heldOut)
  }

  @Test func badSettingsAreRejected() throws {
    let data = try Self.small().subset(Array(0..<10))
    var e = TextExperiment()
    e.heldOutFraction = 0.05  // no held-out pair
    #expect(throws: CosineError.self) { try e.run(on: data) }
    e.heldOutFraction = 0.5
    e.rank = 400
    #expect(throws: CosineError.self) { try e.run(on: data) }
  }
}
