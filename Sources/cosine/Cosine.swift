import ArgumentParser

/// `cosine`: cosine similarity, normalization, losses, all-pairs matrices and top-k search over
/// `.npy` files.
@main
struct Cosine: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cosine",
    abstract: "Cosine similarity, cosine losses and their gradients over .npy files.",
    discussion: """
      Inputs are NumPy .npy files (float16/32/64 or integers, any byte order, C or Fortran \
      order). Results are written as .npy with -o (atomically), or printed. Gradients \
      (--grad1/--grad2) are those of the sum of the command's output.
      """,
    subcommands: [
      SimilarityCommand.self, NormalizeCommand.self, LossCommand.self, MatrixCommand.self,
      SearchCommand.self,
    ]
  )
}
