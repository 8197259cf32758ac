import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// The batch losses' options are public mutable properties: values the initializers reject are
/// rejected again when the loss is evaluated, so no client code can run a loss in a state its
/// initializer forbids.
@Suite struct BatchLossOptionTests {
  static let a = Tensor<Double>(uncheckedShape: [2, 3], scalars: [1, 0, 0, 0, 1, 0])
  static let p = Tensor<Double>(uncheckedShape: [2, 3], scalars: [1, 1, 0, 0, 1, 1])

  @Test func mnrlRejectsOptionsChangedAfterInit() throws {
    var emptied = try MultipleNegativesRankingLoss()
    emptied.directions = []
    #expect(throws: CosineError.self) { try emptied.valueWithGradient(Self.a, Self.p) }
    var noPositive = try MultipleNegativesRankingLoss()
    noPositive.directions = [.docToQuery]
    #expect(throws: CosineError.self) { try noPositive.valueWithGradient(Self.a, Self.p) }
    var perDirection = try MultipleNegativesRankingLoss(directions: [.queryToDoc, .queryToQuery])
    perDirection.partitionMode = .perDirection
    #expect(throws: CosineError.self) { try perDirection.valueWithGradient(Self.a, Self.p) }
    var strength = try MultipleNegativesRankingLoss(hardnessMode: .hardNegatives)
    strength.hardnessStrength = .nan
    #expect(throws: CosineError.self) { try strength.valueWithGradient(Self.a, Self.p) }
    var scale = try MultipleNegativesRankingLoss()
    scale.scale = -1
    #expect(throws: CosineError.self) { try scale.valueWithGradient(Self.a, Self.p) }
    // The untouched loss evaluates.
    let fine = try MultipleNegativesRankingLoss().valueWithGradient(Self.a, Self.p)
    #expect(fine.value.scalars[0].isFinite)
  }

  @Test func marginsMustStayFinite() throws {
    let labels = Tensor<Double>([1, 0])
    var contrastive = try ContrastiveLoss()
    contrastive.margin = .infinity
    #expect(throws: CosineError.self) {
      try contrastive.valueWithPullback(Self.a, Self.p, negatives: nil, target: labels)
    }
    var online = try OnlineContrastiveLoss()
    online.margin = .nan
    #expect(throws: CosineError.self) { try online.valueWithPullback(Self.a, Self.p, negatives: nil, target: labels) }
    var triplet = try CosineTripletLoss()
    triplet.margin = .nan
    #expect(throws: CosineError.self) { try triplet.valueWithPullback(Self.a, Self.p, negatives: Self.p, target: nil) }
  }
}
