import ArgumentParser
import CosineEncoders
import Foundation

/// `cosine tokenize`: the token ids a sentence-transformers model gives each text.
struct TokenizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenize",
    abstract: "Print the token ids a model's tokenizer gives each text, one JSON array per line.",
    discussion: """
      The ids are those the model sees, as sentence-transformers tokenizes: special tokens \
      ([CLS] … [SEP]) included, truncated to the model's max_seq_length (or --max-length). \
      TEXTS is UTF-8 with one text per line, or a .jsonl file of {"text": ...} records.
      """
  )

  @Option(help: ArgumentHelp("A sentence-transformers model directory.", valueName: "DIR")) var model: String
  @Argument(help: ArgumentHelp("The texts: one per line, or a .jsonl of {\"text\": ...}.", valueName: "TEXTS.txt"))
  var texts: String
  @Option(help: "Most ids per text, special tokens included (default: the model's max_seq_length).")
  var maxLength: Int?

  func run() throws {
    let encoder = try loadTokenizer(model, command: "tokenize")
    try validateMaxLength(maxLength, encoder, command: "tokenize")
    let lines = try readTexts(texts, command: "tokenize")
    var out = ""
    for line in lines {
      out += "["
      out += encoder.tokenize(line, maxLength: maxLength).map(String.init).joined(separator: ", ")
      out += "]\n"
      if out.utf8.count > 1 << 16 {
        print(out, terminator: "")
        out = ""
      }
    }
    print(out, terminator: "")
  }
}
