import ArgumentParser
import CosineKit

#if canImport(Glibc)
  import Glibc
  private let systemExit = Glibc.exit
#elseif canImport(Musl)
  import Musl
  private let systemExit = Musl.exit
#elseif canImport(Darwin)
  import Darwin
  private let systemExit = Darwin.exit
#endif

/// `cosine`: cosine similarity, normalization, losses, all-pairs matrices and top-k search over
/// `.npy` files.
@main
struct Cosine: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cosine",
    abstract: "Cosine similarity, cosine losses, their gradients, search and training over .npy files.",
    discussion: """
      Inputs are NumPy .npy files (float16/32/64 or integers, any byte order, C or Fortran \
      order). Results are written as .npy with -o (atomically), or printed. Gradients \
      (--grad1/--grad2) are those of the sum of the command's output.
      """,
    version: CosineVersion.current,
    subcommands: [
      SimilarityCommand.self, NormalizeCommand.self, LossCommand.self, MatrixCommand.self,
      SearchCommand.self, DemoCommand.self, TrainCommand.self, EmbedCommand.self, EvaluateCommand.self,
      MineCommand.self, ClusterCommand.self, OutliersCommand.self, IndexCommand.self, MergeCommand.self,
      TokenizeCommand.self, EmbedTextCommand.self,
    ]
  )

  /// Runs a command; every failure is one line on stderr and a non-zero exit status.
  static func main() {
    // Before any thread exists: glibc fixes its arena limit when a second thread first allocates.
    MallocArenas.limitUnderAddressSpaceLimit()
    SignalCleanup.install()
    do {
      var command = try parseAsRoot()
      try command.run()
      try checkStandardOutput()
      Notes.flush()
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))  // --help, --version
        systemExit(0)
      }
      // Our errors whole; of ArgumentParser's, the first line (the rest is usage). Control
      // characters from file names or file contents are escaped: the error is always one line.
      let text: String
      switch error {
      case is CLIError, is CosineError, is NPYError, is TrainingFileError:
        text = "\(error)".escapingControlCharacters
      default:
        let first = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        text =
          OptionSuggestion.amend(first, arguments: Array(CommandLine.arguments.dropFirst())).escapingControlCharacters
      }
      writeToStandardError("cosine: \(text)\n")
      systemExit(code.rawValue)
    }
  }
}

/// Writes `text` to file descriptor 2 unbuffered.
func writeToStandardError(_ text: String) {
  var bytes = Array(text.utf8)
  bytes.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
}
