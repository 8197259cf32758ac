import Testing

import CosineCore
import CosineLosses

/// The batch losses' options are fixed by their checked initializers (the numeric ones and MNRL's
/// directions are `private(set)`), so no client code can run a loss in a state its initializer
/// forbids; and each loss describes what it takes through its ``BatchLossKind``.
@Suite struct BatchLossOptionTests {
  static let a = Tensor<Double>(uncheckedShape: [2, 3], scalars: [1, 0, 0, 0, 1, 0])
  static let p = Tensor<Double>(uncheckedShape: [2, 3], scalars: [1, 1, 0, 0, 1, 1])

  @Test func initializersRejectWhatEvaluationCannotRun() {
    #expect(throws: CosineError.self) { try MultipleNegativesRankingLoss(directions: []) }
    #expect(throws: CosineError.self) { try MultipleNegativesRankingLoss(directions: [.docToQuery]) }
    #expect(throws: CosineError.self) {
      try MultipleNegativesRankingLoss(directions: [.queryToDoc, .queryToQuery], partitionMode: .perDirection)
    }
    #expect(throws: CosineError.self) {
      try MultipleNegativesRankingLoss(hardnessMode: .hardNegatives, hardnessStrength: .nan)
    }
    #expect(throws: CosineError.self) { try MultipleNegativesRankingLoss(scale: -1) }
    #expect(throws: CosineError.self) { try CoSENTLoss(scale: .infinity) }
    #expect(throws: CosineError.self) { try ContrastiveLoss(margin: .infinity) }
    #expect(throws: CosineError.self) { try OnlineContrastiveLoss(margin: .nan) }
    #expect(throws: CosineError.self) { try CosineTripletLoss(margin: .nan) }
  }

  @Test func eachLossNamesItsKind() throws {
    #expect(try MultipleNegativesRankingLoss().kind == .mnrl)
    #expect(try CoSENTLoss().kind == .cosent)
    #expect(try CosineTripletLoss().kind == .triplet)
    #expect(try ContrastiveLoss().kind == .contrastive)
    #expect(try OnlineContrastiveLoss().kind == .onlineContrastive)
    #expect(try MatryoshkaLoss(ContrastiveLoss(), dims: [2]).kind == .contrastive)
  }

  /// What each kind takes, as the command line and the trainer read it.
  @Test func descriptionsMatchTheLosses() throws {
    for kind in BatchLossKind.allCases {
      // A loss that takes no labels rejects a target; one that takes labels needs one.
      let loss: any BatchCosineLoss =
        switch kind {
        case .mnrl: try MultipleNegativesRankingLoss()
        case .cosent: try CoSENTLoss()
        case .triplet: try CosineTripletLoss()
        case .contrastive: try ContrastiveLoss()
        case .onlineContrastive: try OnlineContrastiveLoss()
        }
      let negatives: Tensor<Double>? = kind.negatives == .onePerAnchor ? Self.p : nil
      let labels = Tensor<Double>([1, 0])
      if kind.labels == nil {
        #expect(throws: CosineError.self) { try loss(Self.a, Self.p, negatives: negatives, target: labels) }
        _ = try loss(Self.a, Self.p, negatives: negatives)
      } else {
        #expect(throws: CosineError.self) { try loss(Self.a, Self.p, negatives: negatives) }
        _ = try loss(Self.a, Self.p, negatives: negatives, target: labels)
      }
      if kind.negatives == .none {
        #expect(throws: CosineError.self) { try loss(Self.a, Self.p, negatives: Self.p, target: labels) }
      }
    }
  }

  @Test func labelRanges() throws {
    try BatchLossKind.cosent.checkLabels([-3, 0.5, 7])
    #expect(throws: CosineError.self) { try BatchLossKind.cosent.checkLabels([0, .nan]) }
    try BatchLossKind.contrastive.checkLabels([0, 0.25, 1])
    #expect(throws: CosineError.self) { try BatchLossKind.contrastive.checkLabels([0, 1.5]) }
    try BatchLossKind.onlineContrastive.checkLabels([0, 1, 1])
    #expect(throws: CosineError.self) { try BatchLossKind.onlineContrastive.checkLabels([0.5]) }
    #expect(throws: CosineError.self) { try BatchLossKind.mnrl.checkLabels([1]) }
  }

  @Test func negativeShapes() throws {
    #expect(try BatchLossKind.mnrl.negativeBlocks(shape: [4, 3], batch: 4, dim: 3) == 1)
    #expect(try BatchLossKind.mnrl.negativeBlocks(shape: [2, 4, 3], batch: 4, dim: 3) == 2)
    #expect(throws: CosineError.self) { try BatchLossKind.mnrl.negativeBlocks(shape: [2, 5, 3], batch: 4, dim: 3) }
    #expect(try BatchLossKind.triplet.negativeBlocks(shape: [1, 4, 3], batch: 4, dim: 3) == 1)
    #expect(throws: CosineError.self) { try BatchLossKind.triplet.negativeBlocks(shape: [2, 4, 3], batch: 4, dim: 3) }
    #expect(throws: CosineError.self) { try BatchLossKind.cosent.negativeBlocks(shape: [4, 3], batch: 4, dim: 3) }
  }
}
