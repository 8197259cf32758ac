import ArgumentParser
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
  default: "\(error)"
  }
}

/// Flushes stdout so progress lines appear as they are printed, even through a pipe.
func flushOutput() {
  fflush(nil)
}
