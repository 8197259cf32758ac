import CosineCore
import CosineEncoders
import Foundation
import Testing

@Suite struct ForwardTests {
  @Test(arguments: Fixtures.names) func loadsTheConfiguration(name: String) throws {
    let model = try SentenceEncoderModel(contentsOf: Fixtures.directory(name))
    #expect(model.bert.configuration.hiddenSize == 32)
    #expect(model.bert.configuration.layerCount == 2)
    #expect(model.bert.configuration.headCount == 4)
    let expected: [String: (Int, Bool)] = [
      "minilm": (1, true), "bge": (1, true), "e5": (1, true), "gte": (1, false), "multi": (6, false),
      "plain": (1, false),
    ]
    #expect(model.poolingModes.count == expected[name]!.0)
    #expect(model.normalizes == expected[name]!.1)
    #expect(model.maxSequenceLength == (name == "plain" ? 16 : 12))
  }

  /// Real-token states in Double agree with the float64 torch run to rounding.
  @Test(arguments: Fixtures.names) func doubleStatesMatchTheReference(name: String) throws {
    let ref = try Fixtures.reference(name)
    let model = try BertModel(contentsOf: Fixtures.directory(name))
    let states = try model.hiddenStatesDouble(
      ids: ref.ids, attentionMask: ref.mask, batch: ref.batch, length: ref.length)
    let h = model.configuration.hiddenSize
    let diff = Fixtures.maxDifference(states.scalars, ref.states) { ref.mask[$0 / h] == 1 }
    #expect(diff <= 1e-12 * max(1, Fixtures.magnitude(ref.states)), "\(name): \(diff)")
  }

  /// Float states: errors of a few Float ulps of the magnitudes, grown through two layers.
  @Test(arguments: Fixtures.names) func floatStatesMatchTheReference(name: String) throws {
    let ref = try Fixtures.reference(name)
    let model = try BertModel(contentsOf: Fixtures.directory(name))
    let states = try model.hiddenStates(ids: ref.ids, attentionMask: ref.mask, batch: ref.batch, length: ref.length)
    let h = model.configuration.hiddenSize
    let diff = Fixtures.maxDifference(states.scalars, ref.states) { ref.mask[$0 / h] == 1 }
    let tolerance = 64 * Double(Float.ulpOfOne) * max(1, Fixtures.magnitude(ref.states))
    #expect(diff <= tolerance, "\(name): \(diff) > \(tolerance)")
  }

  /// Pooled (every mode, concatenated in order) and normalized embeddings.
  @Test(arguments: Fixtures.names) func embeddingsMatchTheReference(name: String) throws {
    let ref = try Fixtures.reference(name)
    let model = try SentenceEncoderModel(contentsOf: Fixtures.directory(name))
    let pooled = try model.pooled(ids: ref.ids, attentionMask: ref.mask, batch: ref.batch, length: ref.length)
    #expect(pooled.shape == [ref.batch, model.dimension])
    let pooledDiff = Fixtures.maxDifference(pooled.scalars, ref.pooled)
    #expect(pooledDiff <= 1e-12 * max(1, Fixtures.magnitude(ref.pooled)), "\(name): \(pooledDiff)")
    let exact = try model.embeddingsDouble(ids: ref.ids, attentionMask: ref.mask, batch: ref.batch, length: ref.length)
    #expect(Fixtures.maxDifference(exact.scalars, ref.embeddings) <= 1e-12 * max(1, Fixtures.magnitude(ref.embeddings)))
    let fast = try model.embeddings(ids: ref.ids, attentionMask: ref.mask, batch: ref.batch, length: ref.length)
    let diff = Fixtures.maxDifference(fast.scalars, ref.embeddings)
    #expect(diff <= 64 * Double(Float.ulpOfOne) * max(1, Fixtures.magnitude(ref.embeddings)), "\(name): \(diff)")
  }

  /// A sequence's embedding does not depend on its padding or on the other rows of the batch.
  @Test func paddingInvariance() throws {
    let model = try SentenceEncoderModel(contentsOf: Fixtures.directory("multi"))
    let ids: [Int32] = [2, 17, 33, 91, 5, 3]
    let alone = try model.embeddings(ids: ids, attentionMask: [Int32](repeating: 1, count: 6), batch: 1, length: 6)
    let padded = ids + [0, 0, 0, 0] + [2, 50, 3, 0, 0, 0, 0, 0, 0, 0]
    let mask: [Int32] = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    let batch = try model.embeddings(ids: padded, attentionMask: mask, batch: 2, length: 10)
    let d = model.dimension
    let first = Array(batch.scalars[0..<d])
    let diff = Fixtures.maxDifference(first, alone.scalars.map(Double.init))
    #expect(diff <= 8 * Double(Float.ulpOfOne) * max(1, Fixtures.magnitude(alone.scalars.map(Double.init))))
  }

  @Test func badArgumentsThrow() throws {
    let model = try BertModel(contentsOf: Fixtures.directory("gte"))
    #expect(throws: EncoderModelError.self) {
      try model.hiddenStates(ids: [1, 2, 3], attentionMask: [1, 1, 1], batch: 2, length: 2)
    }
    #expect(throws: EncoderModelError.self) {
      try model.hiddenStates(ids: [1, 500], attentionMask: [1, 1], batch: 1, length: 2)
    }
    #expect(throws: EncoderModelError.self) {
      try model.hiddenStates(ids: [1, 2], attentionMask: [1, 2], batch: 1, length: 2)
    }
    #expect(throws: EncoderModelError.self) {
      try model.hiddenStates(
        ids: [Int32](repeating: 1, count: 17), attentionMask: [Int32](repeating: 1, count: 17), batch: 1, length: 17)
    }
  }
}
