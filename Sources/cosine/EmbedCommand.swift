import ArgumentParser
import CosineKit

/// `cosine embed`: applies a tower saved by `cosine train` (or `cosine demo`) to the rows of
/// an .npy matrix.
struct EmbedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embed",
    abstract: "Apply a saved tower to the rows of an .npy matrix.",
    discussion: "Writes the embeddings as a float32 .npy matrix [n, width of the tower's output]."
  )

  @Argument(help: "A model file saved by `cosine train` or `cosine demo`.")
  var model: String

  @Argument(help: "Rows to embed, an .npy matrix [n, d].")
  var input: String

  @Option(name: [.short, .customLong("output")], help: "Where the embeddings are written (.npy).")
  var output: String

  @Option(help: "Which tower of the file to apply (default: the first).")
  var tower: String?

  func run() throws {
    try OutputPlan.declare(["-o": output], inputs: [model, input])
    do {
      let file = try ModelFile<Float>(contentsOf: model)
      guard let first = file.entries.first else {
        throw CosineError.invalidArgument("\(model): the file holds no tower")
      }
      let names = file.entries.map { "'\($0.name)'" }.joined(separator: ", ")
      let chosen: Sequential<Float>
      if let tower {
        guard let t = file[tower] else {
          throw CosineError.invalidArgument("\(model): no tower named '\(tower)' (the file has \(names))")
        }
        chosen = t
      } else {
        chosen = first.model
      }
      let x = try readMatrix(input, what: "rows")
      if let dense = firstDense(chosen), dense.inputSize != x.shape[1] {
        throw CosineError.invalidArgument(
          "\(input): rows have \(x.shape[1]) values but the tower '\(tower ?? first.name)' takes \(dense.inputSize)")
      }
      let e: Tensor<Float>
      do { e = try chosen(x) } catch {
        throw CLIError("embed: \(model): tower '\(tower ?? first.name)': \(describe(error))")
      }
      var out = Outputs()
      out.add(AnyTensor(e), to: output)
      try out.commit()
      print("embedded: \(x.shape[0]) rows → \(output) \(Shape.describe(e.shape))")
    } catch let e as CLIError {
      throw e
    } catch {
      throw fail("embed", describe(error))
    }
  }
}

/// The first dense layer of a tower, looking inside nested sequentials.
func firstDense(_ s: Sequential<Float>) -> Dense<Float>? {
  for layer in s.layers {
    if let d = layer as? Dense<Float> { return d }
    if let n = layer as? Sequential<Float>, let d = firstDense(n) { return d }
  }
  return nil
}
