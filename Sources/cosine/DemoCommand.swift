import ArgumentParser
import CosineDemo
import CosineKit
import Foundation

/// `cosine demo`: the demos on bundled data; `cosine demo` alone runs the digits demo.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Demos on bundled data: digits (the default) and text.",
    subcommands: [DigitsDemoCommand.self, TextDemoCommand.self],
    defaultSubcommand: DigitsDemoCommand.self
  )
}

/// `cosine demo [digits]`: learns one embedding space for the top and bottom halves of
/// handwritten digits, and reports how well top halves retrieve bottom halves of the same digit.
struct DigitsDemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "digits",
    abstract: "Train a two-tower model on the bundled digits and report retrieval recall.",
    discussion: """
      A two-tower model learns one embedding space for the top half (32 pixels) and the bottom \
      half (32 pixels) of 8×8 handwritten digits, with the cosine embedding loss: the two halves \
      of an image are a positive pair, halves of digits of other classes are negatives. On held-out \
      images, each top half retrieves the bottom half of highest cosine similarity; the last line \
      gives the class recall@1 after and before training (chance: 0.10). An HTML report with the \
      loss curve and similarity histograms is written to the output directory.
      """
  )

  @Option(help: "Seed of the split, the initialization, the batch order and the negatives.")
  var seed: UInt64 = 0

  @Option(help: "Passes over the training images.")
  var epochs: Int = DigitsExperiment().epochs

  @Option(name: .customLong("output-dir"), help: "Where the report and the trained model are written.")
  var outputDirectory: String = "."

  @Option(
    name: .customLong("data-dir"),
    help: "A directory with digits_images.npy and digits_labels.npy (default: the bundled copy).")
  var dataDirectory: String?

  func validate() throws {
    guard epochs >= 0 else { throw ValidationError("--epochs must be >= 0, got \(epochs)") }
  }

  func run() throws {
    let report = outputDirectory + "/cosine-demo-report.html"
    let modelPath = outputDirectory + "/cosine-demo-model.json"
    let data: DigitsData
    do {
      let dir = try dataDirectory ?? bundledDataDirectory()
      data = try DigitsData(imagesFile: dir + "/digits_images.npy", labelsFile: dir + "/digits_labels.npy")
    } catch let e as CLIError { throw e } catch {
      throw fail("demo", describe(error))
    }
    var experiment = DigitsExperiment()
    experiment.seed = seed
    experiment.epochs = epochs
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw fail("demo", "\(outputDirectory): the output directory does not exist")
    }
    try OutputPlan.declare(["--output-dir": report, "--output-dir": modelPath], inputs: [])

    let heldOut = data.count - experiment.trainingCount
    print(
      "digits: \(data.count) images of 8×8 pixels; \(experiment.trainingCount) for training, \(heldOut) held out (seed \(seed))"
    )
    print(
      "model: two towers 32 → \(experiment.hiddenSize) (tanh) → \(experiment.embeddingSize), cosine embedding loss, "
        + "\(experiment.negativesPerImage) negatives per positive, Adam (learning rate \(experiment.learningRate))")
    flushOutput()
    let outcome: DigitsExperiment.Outcome
    do {
      outcome = try experiment.run(on: data) { p in
        let width = String(epochs).count
        let n = String(p.epoch)
        print(
          "epoch \(String(repeating: " ", count: width - n.count))\(n)/\(epochs)  loss \(format(p.loss, 4))  "
            + "(\(format(p.seconds, 1)) s)")
        flushOutput()
      }
    } catch {
      throw fail("demo", describe(error))
    }

    do {
      var out = Outputs()
      out.add(bytes: Array(DigitsReport(outcome: outcome, data: data).html().utf8), to: report)
      out.add(
        bytes: try ModelFile(
          ["top": outcome.model.left, "bottom": outcome.model.right!],
          metadata: ["loss": "embedding", "trained-by": "cosine demo", "seed": String(seed)]
        ).encoded(), to: modelPath)
      try out.commit()
    } catch let e as CLIError {
      throw e
    } catch {
      throw fail("demo", describe(error))
    }
    print("model: \(modelPath) (towers 'top' and 'bottom')")
    print("report: \(report)")
    print("recall@1: \(format(outcome.recallTrained, 2)) (untrained: \(format(outcome.recallUntrained, 2)))")
  }

  /// The directory of the data set bundled with the executable.
  private func bundledDataDirectory() throws -> String {
    do { return try BundledResources.directory(containing: "digits_images.npy") } catch {
      throw fail("demo", describe(error) + "; pass --data-dir with digits_images.npy and digits_labels.npy")
    }
  }
}

/// `x` with `digits` decimals.
func format(_ x: Double, _ digits: Int) -> String {
  guard x.isFinite else { return "\(x)" }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let r = (x * scale).rounded() / scale
  var s = String(r)
  if s.contains("e") { return s }
  let parts = s.split(separator: ".", omittingEmptySubsequences: false)
  let frac = parts.count > 1 ? String(parts[1]) : ""
  if digits == 0 { return String(parts[0]) }
  s = String(parts[0]) + "." + frac + String(repeating: "0", count: max(0, digits - frac.count))
  return s
}
