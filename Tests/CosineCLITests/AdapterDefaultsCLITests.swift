import ArgumentParser
import Testing

import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining
@testable import cosine

/// The defaults `cosine train` fills in, with and without --adapter, and --schedule.
@Suite struct AdapterDefaultsCLITests {
  @Test func adapterTakesTheRecipeOfAdapterTraining() throws {
    let s = try TrainCommand.parse(["q.npy", "d.npy", "--loss", "mnrl", "--adapter"]).trainingSettings
    let recipe = AdapterTraining()
    #expect(s.epochs == recipe.epochs && s.batchSize == recipe.batchSize && s.learningRate == recipe.learningRate)
    #expect(s.schedule == .linear)
    let o = try #require(s.scheduledOptimizer(pairs: 2800))
    let expected = try recipe.optimizer(pairs: 2800, scalar: Float.self)
    #expect(o.totalSteps == expected.totalSteps && o.warmupSteps == expected.warmupSteps)
    #expect(o.learningRate == recipe.learningRate)
  }

  @Test func withoutAdapterTheDefaultsAreUnchanged() throws {
    let s = try TrainCommand.parse(["q.npy", "d.npy"]).trainingSettings
    #expect(s.epochs == 20 && s.batchSize == 64 && s.learningRate == 1e-3 && s.schedule == .constant)
    #expect(s.scheduledOptimizer(pairs: 100) == nil)
  }

  @Test func givenOptionsWin() throws {
    let s = try TrainCommand.parse([
      "q.npy", "d.npy", "--adapter", "--loss", "mnrl", "--epochs", "3", "--batch-size", "8", "--learning-rate", "0.01",
      "--schedule", "constant",
    ]).trainingSettings
    #expect(s.epochs == 3 && s.batchSize == 8 && s.learningRate == 0.01 && s.schedule == .constant)
    let linear = try TrainCommand.parse([
      "q.npy", "d.npy", "--schedule", "linear", "--epochs", "2", "--batch-size", "10",
    ])
    .trainingSettings
    let o = try #require(linear.scheduledOptimizer(pairs: 25))
    #expect(o.totalSteps == 6 && o.warmupSteps == 1 && o.learningRate == 1e-3)
  }

  @Test func badValuesAreRejected() {
    #expect(throws: (any Error).self) { try TrainCommand.parse(["q.npy", "d.npy", "--schedule", "cosine"]) }
    #expect(throws: (any Error).self) { try TrainCommand.parse(["q.npy", "d.npy", "--epochs", "-1"]) }
    #expect(throws: (any Error).self) { try TrainCommand.parse(["q.npy", "d.npy", "--batch-size", "0"]) }
  }
}
