import ArgumentParser
import CosineEncoders
import CosineKit
import Foundation

/// The error a training subcommand throws: printed by the root command as one line,
/// `cosine: <command>: <message>`, with exit status 1.
func fail(_ command: String, _ message: String) -> CLIError {
  CLIError("\(command): \(message)")
}

/// One line for any error CosineKit or the system throws.
func describe(_ error: Error) -> String {
  switch error {
  case let e as CosineError: e.description
  case let e as NPYError: e.description
  case let e as TrainingFileError: e.description
  case let e as EncoderModelError: e.description
  default: "\(error)"
  }
}

/// Flushes stdout so progress lines appear as they are printed, even through a pipe.
func flushOutput() {
  fflush(nil)
}

/// Notes for the user (`cosine: note: …` on stderr), printed once the command has succeeded, so a
/// failing run still prints exactly one line.
enum Notes {
  nonisolated(unsafe) private static var pending: [String] = []

  /// Queues a note (the command line is single-threaded where it adds them).
  static func add(_ text: String) { pending.append(text) }

  /// Prints the queued notes.
  static func flush() {
    for n in pending { writeToStandardError("cosine: note: \(n)\n") }
    pending = []
  }
}

/// Notes when a search returns fewer than `--top-k` results per query because the corpus holds
/// fewer rows (every query then gets `min(K, N)`), or none at all: legal, and worth knowing.
/// Standard output is unaffected.
func noteResultCount(topK: Int, rows: Int, corpus: String) {
  if rows == 0 {
    Notes.add("\(corpus) has no rows; every query has 0 results")
  } else if topK > rows {
    Notes.add("--top-k \(topK) is more than the \(rows) rows of \(corpus); returning \(rows) per query")
  }
}
