import ArgumentParser

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "train", abstract: "Train two towers on paired rows.")
}
