import ArgumentParser
import CosineEncoders
import CosineKit
import Foundation

/// `cosine embed-text`: a sentence-transformers model's embeddings of the lines of a text file.
struct EmbedTextCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embed-text",
    abstract: "Embed each line of a text file with a sentence-transformers model directory.",
    discussion: """
      Writes a float32 .npy matrix [N, D], row i for text i, as SentenceTransformer.encode \
      gives it (tokenizer, encoder, the pooling and normalization of the directory's \
      modules.json). TEXTS is UTF-8 with one text per line, or a .jsonl file of {"text": ...} \
      records for texts with newlines.
      """
  )

  @Option(help: ArgumentHelp("A sentence-transformers model directory.", valueName: "DIR")) var model: String
  @Argument(help: ArgumentHelp("The texts: one per line, or a .jsonl of {\"text\": ...}.", valueName: "TEXTS.txt"))
  var texts: String
  @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where the embeddings go.", valueName: "E.npy"))
  var output: String
  @Option(help: "Texts per forward pass (>= 1).") var batchSize = 32
  @Option(help: "Most tokens per text, special tokens included (default: the model's max_seq_length).")
  var maxLength: Int?
  @Flag(help: "No progress bar on standard error.") var quiet = false

  func validate() throws {
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
  }

  func run() throws {
    try OutputPlan.declare(["-o": output], inputs: [texts])
    let encoder = try loadEncoder(model, command: "embed-text")
    try validateMaxLength(maxLength, encoder, command: "embed-text")
    let lines = try readTexts(texts, command: "embed-text")
    try naming([texts]) {
      try MemoryBudget.check(
        count: MemoryBudget.elementCount([lines.count, encoder.dimension]), elementSize: 4,
        "the embeddings [\(lines.count), \(encoder.dimension)]")
    }
    let e = try embedTexts(
      lines, with: encoder, batchSize: batchSize, maxLength: maxLength, quiet: quiet, command: "embed-text")
    var out = Outputs()
    out.add(AnyTensor(e), to: output)
    try out.commit()
    print(
      "embedded: \(lines.count) texts → \(output) \(Shape.describe(e.shape)) (max length \(maxLength ?? encoder.maxSequenceLength) tokens)"
    )
  }
}
