import CosineCore
import CosineLosses
import Foundation
import Testing

@testable import CosineEncoders

/// Fine-tuning end to end on the tiny `minilm` fixture (its tokenizer included).
@Suite struct EncoderTrainerTests {
  static let source = Fixtures.directory("minilm")

  static func examples(_ n: Int, seed: UInt64 = 1) -> TrainingExamples {
    let words = ["cat", "dog", "the", "a", "runs", "sleeps", "red", "blue", "fast", "slow", "big", "small"]
    var g = SplitMix64(seed: seed)
    func sentence(_ k: Int) -> String {
      (0..<k).map { _ in words[Int(g.next() % UInt64(words.count))] }.joined(separator: " ")
    }
    let anchors = (0..<n).map { "\(sentence(3)) \($0)" }
    let positives = anchors.map { "\($0) \(sentence(2))" }
    return TrainingExamples(anchors: anchors, positives: positives)
  }

  static func temporary(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cosine-trainer-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test func stepsLowerTheLossOfABatch() throws {
    var options = FineTuningOptions()
    options.learningRate = 1e-3
    options.dropout = false
    var trainer = try EncoderTrainer(
      encoder: try SentenceEncoder(contentsOf: Self.source), loss: try MultipleNegativesRankingLoss(), options: options)
    let tokens = trainer.tokenize(Self.examples(8))
    var losses: [Double] = []
    for _ in 0..<15 { losses.append(try trainer.step(columns: tokens, scores: nil, learningRate: 1e-3).loss) }
    #expect(losses.last! < 0.5 * losses.first!, "\(losses)")
    #expect(trainer.stepsTaken == 15)
  }

  @Test func batchesNeverRepeatATextAndCoverEveryExample() throws {
    var e = Self.examples(40)
    e.positives[7] = e.positives[3]  // a duplicate text: the two must land in different batches
    e.anchors[9] = e.positives[11]
    var options = FineTuningOptions()
    options.batchSize = 8
    options.epochs = 2
    let trainer = try EncoderTrainer(
      encoder: try SentenceEncoder(contentsOf: Self.source), loss: try MultipleNegativesRankingLoss(), options: options)
    let plan = trainer.batches(for: e)
    #expect(plan.count == 2)
    for epoch in plan {
      #expect(epoch.flatMap { $0 }.sorted() == Array(0..<40))
      for batch in epoch {
        let texts = batch.flatMap { [e.anchors[$0], e.positives[$0]] }
        #expect(Set(texts).count == texts.count, "\(batch)")
      }
    }
    #expect(plan[0].flatMap { $0 } != plan[1].flatMap { $0 }, "each epoch has its own order")
    #expect(trainer.warmupSteps(totalSteps: 11) == 2)  // ⌈0.1 · 11⌉, as transformers
  }

  /// The saved directory loads as a `SentenceEncoder` that encodes what the trainer's encoder
  /// does, with the tensors training does not touch copied unchanged.
  @Test func savedModelLoadsAndEncodesTheSame() throws {
    var options = FineTuningOptions()
    options.batchSize = 4
    options.learningRate = 1e-3
    var trainer = try EncoderTrainer(
      encoder: try SentenceEncoder(contentsOf: Self.source), loss: try MultipleNegativesRankingLoss(), options: options)
    try trainer.train(Self.examples(12))
    let out = Self.temporary("save")
    defer { try? FileManager.default.removeItem(at: out) }
    try trainer.save(to: out, source: Self.source, extra: ["loss.csv": Data("step\n".utf8)])
    let loaded = try SentenceEncoder(contentsOf: out)
    let texts = ["the red cat", "a slow dog sleeps", ""]
    let a = try trainer.encoder.encode(texts)
    let b = try loaded.encode(texts)
    #expect(zip(a.scalars, b.scalars).allSatisfy { $0 == $1 })
    let before = try SentenceEncoder(contentsOf: Self.source).encode(texts)
    #expect(zip(a.scalars, before.scalars).contains { abs($0 - $1) > 1e-6 }, "training changed the model")
    for name in ["config.json", "tokenizer.json", "modules.json", "1_Pooling/config.json", "loss.csv"] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
    }
    let saved = try SafeTensorsFile(contentsOf: out.appendingPathComponent("model.safetensors"))
    let original = try SafeTensorsFile(contentsOf: Self.source.appendingPathComponent("model.safetensors"))
    #expect(Set(saved.entries.keys) == Set(original.entries.keys))
    let h = 32
    let types = try saved.floats("embeddings.token_type_embeddings.weight", shape: [2, h])
    let originalTypes = try original.floats("embeddings.token_type_embeddings.weight", shape: [2, h])
    // Token type 1 is never used: it gets no gradient, only AdamW's decay, a common factor below 1.
    let ratios = (h..<(2 * h)).map { Double(types[$0]) / Double(originalTypes[$0]) }
    #expect(ratios.allSatisfy { abs($0 - ratios[0]) <= 1e-6 && $0 < 1 && $0 > 0.999 }, "\(ratios)")
    let staging = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)
    #expect(!staging.contains { $0.hasPrefix(".\(out.lastPathComponent).partial") }, "no staging left behind")
  }

  /// A run stopped after a checkpoint and resumed from it ends with the weights of a run that
  /// was never stopped (dropout on: its masks follow the step).
  @Test func resumingFromACheckpointContinuesTheSameRun() throws {
    struct Stop: Error {}
    var options = FineTuningOptions()
    options.epochs = 2
    options.batchSize = 4
    options.learningRate = 1e-3
    let e = Self.examples(12)
    let encoder = try SentenceEncoder(contentsOf: Self.source)
    let loss = try MultipleNegativesRankingLoss()
    var straight = try EncoderTrainer(encoder: encoder, loss: loss, options: options)
    try straight.train(e)
    #expect(straight.stepsTaken == 6)
    let dir = Self.temporary("resume")
    defer { try? FileManager.default.removeItem(at: dir) }
    let checkpoint = dir.appendingPathComponent("checkpoint-4")
    var first = try EncoderTrainer(encoder: encoder, loss: loss, options: options)
    #expect(throws: Stop.self) {
      try first.train(e) { step, current in
        if step.step == 4 {
          try current.saveCheckpoint(
            to: checkpoint, source: Self.source, state: current.checkpointState(examples: e.count, lossName: "mnrl"))
          throw Stop()
        }
      }
    }
    var resumed = try EncoderTrainer(resumingFrom: checkpoint, loss: loss, options: options) {
      $0.checkpointState(examples: e.count, lossName: "mnrl")
    }
    #expect(resumed.stepsTaken == 4)
    var steps: [Int] = []
    try resumed.train(e) { step, _ in steps.append(step.step) }
    #expect(steps == [5, 6])
    #expect(resumed.parameters.values == straight.parameters.values)
    // Another run's settings are refused, naming the field.
    var other = options
    other.learningRate = 5e-4
    #expect {
      _ = try EncoderTrainer(resumingFrom: checkpoint, loss: loss, options: other) {
        $0.checkpointState(examples: e.count, lossName: "mnrl")
      }
    } throws: { "\($0)".contains("learning_rate") }
  }

  @Test func optionsOutOfRangeAreRefused() throws {
    let encoder = try SentenceEncoder(contentsOf: Self.source)
    for (change, field) in [
      ({ (o: inout FineTuningOptions) in o.batchSize = 0 }, "batchSize"),
      ({ (o: inout FineTuningOptions) in o.warmupRatio = 1.5 }, "warmupRatio"),
      ({ (o: inout FineTuningOptions) in o.learningRate = .nan }, "learningRate"),
      ({ (o: inout FineTuningOptions) in o.maxLength = 1 }, "maxLength"),
    ] {
      var o = FineTuningOptions()
      change(&o)
      #expect {
        _ = try EncoderTrainer(encoder: encoder, loss: try MultipleNegativesRankingLoss(), options: o)
      } throws: {
        "\($0)".contains(field)
      }
    }
  }
}

@Suite struct TrainingExamplesTests {
  func file(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "examples-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl"
    ).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func readsBothForms() throws {
    let pairs = try TrainingExamples.read(
      contentsOf: try file(
        "{\"anchor\": \"a\", \"positive\": \"b\", \"negative\": \"c\"}\n\n{\"anchor\": \"d\\ne\", \"positive\": \"f\", \"negative\": \"g\"}\n"
      ))
    #expect(pairs == TrainingExamples(anchors: ["a", "d\ne"], positives: ["b", "f"], negatives: ["c", "g"]))
    let scored = try TrainingExamples.read(
      contentsOf: try file(
        "{\"sentence1\": \"x\", \"sentence2\": \"y\", \"score\": 0.25}\n{\"sentence1\": \"x\", \"sentence2\": \"z\", \"score\": 1}\n"
          + "{\"sentence1\": \"w\", \"sentence2\": \"y\", \"score\": 0}\n"))
    #expect(scored.scores == [0.25, 1, 0])
    #expect(scored.columns.count == 2)
  }

  @Test(arguments: [
    ("{\"anchor\": \"a\"}\n", "line 1: field 'positive' is missing"),
    ("{\"anchor\": \"a\", \"positive\": \"b\", \"label\": 1}\n", "line 1: unknown field 'label'"),
    ("{\"anchor\": \"a\", \"positive\": 3}\n", "line 1: field 'positive' is not a string"),
    ("{\"anchor\": \"a\", \"positive\": \"b\"}\n[1, 2]\n", "line 2: is not a JSON object"),
    (
      "{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"anchor\": \"a\", \"positive\": \"b\", \"negative\": \"c\"}\n",
      "line 2: has fields"
    ),
    (
      "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": \"high\"}\n",
      "line 1: field 'score' is not a finite number"
    ),
    (
      "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": true}\n",
      "line 1: field 'score' is not a finite number"
    ),
    ("{\"anchor\": \"a\", \"sentence2\": \"b\", \"score\": 1}\n", "mixes the fields"),
    ("\n\n", "holds no examples"),
  ])
  func malformedLinesNameTheLineAndField(text: String, message: String) throws {
    let path = try file(text)
    #expect { _ = try TrainingExamples.read(contentsOf: path) } throws: {
      "\($0)".contains(path) && "\($0)".contains(message)
    }
  }
}
