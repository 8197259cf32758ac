import ArgumentParser
import CosineKit
import Foundation

/// Prints `cosine <command>: error: <message>` on stderr and exits with status 1.
func fail(_ command: String, _ message: String) -> ExitCode {
  FileHandle.standardError.write(Data("cosine \(command): error: \(message)\n".utf8))
  return ExitCode(1)
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
