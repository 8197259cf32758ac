import ArgumentParser

@main
struct Cosine: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cosine",
    abstract: "Cosine similarity, cosine losses, and training with them.",
    subcommands: [DemoCommand.self, TrainCommand.self, EmbedCommand.self]
  )
}
