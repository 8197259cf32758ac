import CosineCore
import CosineLosses
import Foundation
import Testing

@testable import CosineEncoders

/// The fine-tuning references of `Scripts/make_finetune_fixtures.py`: PyTorch autograd in float64
/// and one float32 AdamW step.
enum FineTuneReference {
  static let names = ["minilm-mnrl", "minilm-mnrl-negatives", "multi-cosent", "e5-mnrl"]

  struct Tensor {
    let shape: [Int]
    let indices: [Int]
    let gradientNorm: Double
    let gradient: [Double]
    let updated: [Double]
  }

  struct Case {
    let fixture: String
    let loss: String
    let columns: [[[Int32]]]
    let scores: [Double]?
    let value: Double
    let valueFloat: Double
    let gradientNormFloat: Double
    let learningRate: Double
    let tensors: [String: Tensor]

    var batchLoss: any BatchCosineLoss {
      get throws { loss == "mnrl" ? try MultipleNegativesRankingLoss() : try CoSENTLoss() }
    }
  }

  static func load(_ name: String) throws -> Case {
    let url = Fixtures.root.appendingPathComponent("finetune/\(name).json")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    func doubles(_ v: Any?) -> [Double] { (v as! [NSNumber]).map(\.doubleValue) }
    var tensors: [String: Tensor] = [:]
    for (name, value) in json["tensors"] as! [String: [String: Any]] {
      tensors[name] = Tensor(
        shape: (value["shape"] as! [NSNumber]).map(\.intValue),
        indices: (value["indices"] as! [NSNumber]).map(\.intValue),
        gradientNorm: (value["grad_norm"] as! NSNumber).doubleValue, gradient: doubles(value["grad"]),
        updated: doubles(value["updated"]))
    }
    return Case(
      fixture: json["fixture"] as! String, loss: json["loss"] as! String,
      columns: (json["columns"] as! [[[NSNumber]]]).map { $0.map { $0.map(\.int32Value) } },
      scores: (json["scores"] as? [NSNumber])?.map(\.doubleValue), value: (json["value"] as! NSNumber).doubleValue,
      valueFloat: (json["value_f32"] as! NSNumber).doubleValue,
      gradientNormFloat: (json["grad_norm_f32"] as! NSNumber).doubleValue,
      learningRate: (json["learning_rate"] as! NSNumber).doubleValue, tensors: tensors)
  }

  /// The flat-buffer index of PyTorch's flat index `i` of `entry`.
  static func index(_ i: Int, in entry: BertParameterLayout.Entry) -> Int {
    guard entry.transposed else { return entry.offset + i }
    let cols = entry.shape[1]
    return entry.offset + (i % cols) * entry.shape[0] + i / cols
  }
}

@Suite struct BackwardTests {
  static func model(_ fixture: String) throws -> (SentenceEncoderModel, BertParameters<Double>) {
    let model = try SentenceEncoderModel(contentsOf: Fixtures.directory(fixture))
    let p = BertParameters(model.bert.weights, configuration: model.bert.configuration)
    return (model, p.converted(to: Double.self))
  }

  /// The loss and every tensor's gradient in Double equal PyTorch autograd's in float64.
  @Test(arguments: FineTuneReference.names) func gradientsMatchPyTorch(name: String) throws {
    let ref = try FineTuneReference.load(name)
    let (model, p) = try Self.model(ref.fixture)
    let (value, g) = try EncoderTrainer.lossAndGradients(
      p, model: model, columns: ref.columns, scores: ref.scores, loss: try ref.batchLoss,
      dropouts: .init(p.layout.configuration, seed: 0, enabled: false))
    #expect(abs(value - ref.value) <= 1e-12 * max(1, abs(ref.value)), "\(name): loss \(value) vs \(ref.value)")
    #expect(ref.tensors.count == p.layout.entries.count)
    for entry in p.layout.entries {
      let t = try #require(ref.tensors[entry.name], "\(entry.name) missing from the reference")
      var sum = 0.0
      for i in entry.offset..<(entry.offset + entry.count) { sum += g.values[i] * g.values[i] }
      let scale = max(t.gradientNorm, 1e-300)
      #expect(abs(sum.squareRoot() - t.gradientNorm) <= 1e-10 * max(scale, 1e-6), "\(name) \(entry.name) norm")
      for (k, i) in t.indices.enumerated() {
        let ours = g.values[FineTuneReference.index(i, in: entry)]
        #expect(abs(ours - t.gradient[k]) <= 1e-10 * max(scale, 1e-6), "\(name) \(entry.name)[\(i)]")
      }
    }
  }

  /// Central differences in Double of the loss agree with the backward pass on seeded
  /// parameters of every tensor, with dropout on (its masks are a function of the seed).
  /// The last case trains the scored pairs with sentence-transformers' CosineSimilarityLoss
  /// (`(cos − score)²`, ``PairwiseBatchLoss``) instead.
  @Test(arguments: [
    ("minilm-mnrl-negatives", true, false), ("multi-cosent", true, false), ("e5-mnrl", false, false),
    ("multi-cosent", true, true),
  ])
  func gradientsMatchFiniteDifferences(name: String, dropout: Bool, pairwise: Bool) throws {
    let ref = try FineTuneReference.load(name)
    var (model, p) = try Self.model(ref.fixture)
    var c = p.layout.configuration
    c.hiddenDropout = 0.2
    c.attentionDropout = 0.3
    let layout = BertParameterLayout(c)
    p = BertParameters(zerosLike: layout).with(values: p.values)
    let loss: any BatchCosineLoss = pairwise ? PairwiseBatchLoss(CosineLoss(.mse())) : try ref.batchLoss
    let dropouts = BertTrainingPass<Double>.Dropouts(c, seed: 42, enabled: dropout)
    func value(_ q: BertParameters<Double>) throws -> Double {
      try EncoderTrainer.lossAndGradients(
        q, model: model, columns: ref.columns, scores: ref.scores, loss: loss, dropouts: dropouts
      ).0
    }
    let (_, g) = try EncoderTrainer.lossAndGradients(
      p, model: model, columns: ref.columns, scores: ref.scores, loss: loss, dropouts: dropouts)
    var random = SplitMix64(seed: 3)
    var worst = 0.0
    for entry in layout.entries {
      // Word and position rows the batch uses, so most draws have a gradient.
      for _ in 0..<2 {
        let i = entry.offset + Int(random.next() % UInt64(entry.name.contains("word") ? 64 * 32 : entry.count))
        var plus = p
        var minus = p
        let h = 1e-6 * max(1, abs(p.values[i]))
        plus.values[i] += h
        minus.values[i] -= h
        let numeric = (try value(plus) - value(minus)) / (2 * h)
        let error = abs(numeric - g.values[i])
        worst = max(worst, error)
        #expect(error <= 1e-6 * max(1, abs(numeric)), "\(name) \(entry.name) flat \(i): \(numeric) vs \(g.values[i])")
      }
    }
    _ = model
    #expect(worst.isFinite)
  }

  /// One float32 step (clip to norm 1, AdamW at 1e-3 with decay 0.01) gives PyTorch's weights.
  @Test(arguments: FineTuneReference.names) func oneStepMatchesPyTorch(name: String) throws {
    let ref = try FineTuneReference.load(name)
    let model = try SentenceEncoderModel(contentsOf: Fixtures.directory(ref.fixture))
    var p = BertParameters(model.bert.weights, configuration: model.bert.configuration)
    let (value, g64) = try EncoderTrainer.lossAndGradients(
      p.converted(to: Double.self), model: model, columns: ref.columns, scores: ref.scores, loss: try ref.batchLoss,
      dropouts: .init(p.layout.configuration, seed: 0, enabled: false))
    _ = value
    var (valueFloat, g) = try EncoderTrainer.lossAndGradients(
      p, model: model, columns: ref.columns, scores: ref.scores, loss: try ref.batchLoss,
      dropouts: .init(p.layout.configuration, seed: 0, enabled: false))
    #expect(abs(valueFloat - ref.valueFloat) <= 1e-5 * max(1, abs(ref.valueFloat)))
    let norm = EncoderTrainer.clip(&g, maxNorm: 1)
    #expect(abs(norm - ref.gradientNormFloat) <= 1e-5 * ref.gradientNormFloat)
    var adam = EncoderAdamW(count: p.layout.count)
    adam.update(&p, gradients: g, learningRate: ref.learningRate)
    let total = (0..<g64.values.count).reduce(0.0) { $0 + g64.values[$1] * g64.values[$1] }.squareRoot()
    for entry in p.layout.entries {
      let t = try #require(ref.tensors[entry.name])
      for (k, i) in t.indices.enumerated() {
        let j = FineTuneReference.index(i, in: entry)
        // Adam's first step moves each weight by about lr·sign(g): where |g| is within float32
        // noise of 0 the sign is not determined, and the two may differ by up to 2·lr.
        let tolerance = abs(g64.values[j]) < 1e-5 * total ? 2.1 * ref.learningRate : 2e-6
        #expect(
          abs(Double(p.values[j]) - t.updated[k]) <= tolerance,
          "\(name) \(entry.name)[\(i)]: \(p.values[j]) vs \(t.updated[k])")
      }
    }
  }
}

@Suite struct GradientCacheTests {
  /// Embedding in groups and carrying the gradients back group by group gives the whole batch's
  /// loss and gradients (dropout off: with it each group has its own masks).
  @Test(arguments: [1, 3, 5]) func groupsGiveTheWholeBatchGradients(miniBatch: Int) throws {
    let ref = try FineTuneReference.load("minilm-mnrl-negatives")
    let (model, p) = try BackwardTests.model(ref.fixture)
    let dropouts = BertTrainingPass<Double>.Dropouts(p.layout.configuration, seed: 0, enabled: false)
    let (whole, g) = try EncoderTrainer.lossAndGradients(
      p, model: model, columns: ref.columns, scores: nil, loss: try ref.batchLoss, dropouts: dropouts)
    let (cached, gc) = try EncoderTrainer.lossAndGradients(
      p, model: model, columns: ref.columns, scores: nil, loss: try ref.batchLoss, dropouts: dropouts,
      miniBatch: miniBatch)
    #expect(abs(whole - cached) <= 1e-13 * abs(whole))
    let scale = g.values.map(abs).max()!
    #expect(zip(g.values, gc.values).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
  }
}
