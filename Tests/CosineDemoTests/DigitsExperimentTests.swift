import CosineKit
import Testing

@testable import CosineDemo

/// The demo's experiment, shortened to stay fast in debug builds.
@Suite struct DigitsExperimentTests {
  static let resources: String = {
    let file = #filePath
    let root = file[..<file.range(of: "/Tests/")!.lowerBound]
    return root + "/Sources/CosineDemo/Resources"
  }()

  static func data(first n: Int) throws -> DigitsData {
    let all = try DigitsData(imagesFile: resources + "/digits_images.npy", labelsFile: resources + "/digits_labels.npy")
    return try DigitsData(
      images: Tensor(shape: [n, 64], scalars: Array(all.images.scalars.prefix(n * 64))),
      labels: Array(all.labels.prefix(n)))
  }

  @Test func bundledDataSetLoads() throws {
    let all = try DigitsData(
      imagesFile: Self.resources + "/digits_images.npy", labelsFile: Self.resources + "/digits_labels.npy")
    #expect(all.count == 1797)
    #expect(all.images.scalars.allSatisfy { $0 >= 0 && $0 <= 16 && $0 == $0.rounded() })
    #expect(Set(all.labels) == Set(0...9))
    let (top, bottom) = all.halves()
    #expect(top.shape == [1797, 32] && bottom.shape == [1797, 32])
    #expect(bottom.scalars[0] == all.images.scalars[32] / 16)
  }

  @Test func shortRunImprovesRecallAndWritesAReport() throws {
    let data = try Self.data(first: 600)
    var e = DigitsExperiment()
    e.trainingCount = 450
    e.epochs = 6
    e.hiddenSize = 32
    e.embeddingSize = 16
    var seen: [Int] = []
    let o = try e.run(on: data) { seen.append($0.epoch) }
    #expect(seen == Array(1...6))
    #expect(o.heldOut.count == 150)
    #expect(Set(o.heldOut).isDisjoint(with: Set(0..<600).subtracting(o.heldOut)) && Set(o.heldOut).count == 150)
    #expect(o.losses.count == 6 && o.losses.last! < o.losses.first!, "losses: \(o.losses)")
    #expect(o.recallTrained > o.recallUntrained + 0.15, "recall \(o.recallUntrained) → \(o.recallTrained)")
    let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
    #expect(mean(o.after.positive) - mean(o.after.negative) > mean(o.before.positive) - mean(o.before.negative))

    let html = DigitsReport(outcome: o, data: data).html()
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<svg") && html.contains("<polyline"))
    // Offline: no scripts, no linked resources; the only URL is the SVG namespace name.
    #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("@import") && !html.contains("src="))
    #expect(html.replacing("xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http") == false)
  }

  @Test func sameSeedSameNumbers() throws {
    let data = try Self.data(first: 200)
    var e = DigitsExperiment()
    e.trainingCount = 150
    e.epochs = 2
    e.hiddenSize = 8
    e.embeddingSize = 4
    let a = try e.run(on: data)
    let b = try e.run(on: data)
    #expect(a.losses == b.losses && a.recallTrained == b.recallTrained && a.heldOut == b.heldOut)
    e.seed = 1
    #expect(try e.run(on: data).heldOut != a.heldOut)
  }

  @Test func badSettingsAreRejected() throws {
    let data = try Self.data(first: 50)
    var e = DigitsExperiment()
    #expect(throws: CosineError.self) { try e.run(on: data) }  // 1400 training images of 50
    e.trainingCount = 40
    e.epochs = -1
    #expect(throws: CosineError.self) { try e.run(on: data) }
  }
}
