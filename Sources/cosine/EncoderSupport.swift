import ArgumentParser
import CosineEncoders
import CosineKit
import Foundation

// What the commands that run a sentence encoder share: loading the model directory, reading the
// texts, checking --max-length, and embedding with a progress bar.

/// Loads a model directory, or fails with one line naming the file at fault.
func loadEncoder(_ path: String, command: String, option: String = "--model") throws -> SentenceEncoder {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
    throw fail(command, "\(path): \(option) must be a model directory (config.json, model.safetensors, tokenizer.json)")
  }
  do { return try SentenceEncoder(contentsOf: URL(fileURLWithPath: path)) } catch {
    throw fail(command, describe(error))
  }
}

/// Reads a texts file, or fails with one line naming the file and line.
func readTexts(_ path: String, command: String) throws -> [String] {
  do { return try TextLines.read(contentsOf: path) } catch { throw fail(command, describe(error)) }
}

/// Loads a model directory's tokenizer and settings without its weights, or fails with one line
/// naming the file at fault.
func loadTokenizer(_ path: String, command: String, option: String = "--model") throws -> SentenceTokenizer {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
    throw fail(command, "\(path): \(option) must be a model directory (config.json, tokenizer.json)")
  }
  do { return try SentenceTokenizer(contentsOf: URL(fileURLWithPath: path)) } catch {
    throw fail(command, describe(error))
  }
}

/// Checks `--max-length` against the model.
func validateMaxLength(_ value: Int?, _ encoder: SentenceEncoder, command: String) throws {
  try validateMaxLength(value, encoder.textTokenizer, command: command)
}

/// Checks `--max-length` against the model's tokenizer settings.
func validateMaxLength(_ value: Int?, _ tokenizer: SentenceTokenizer, command: String) throws {
  guard let value, !tokenizer.maxLengthRange.contains(value) else { return }
  let range = tokenizer.maxLengthRange
  throw fail(
    command,
    "--max-length must be in \(range) for this model (max_position_embeddings \(range.upperBound)), got \(value)")
}

/// `texts` embedded by `encoder`, with a progress bar on standard error (unless `quiet`) whose
/// label counts `unit`; a failure is one line under `command`.
func embedTexts(
  _ texts: [String], with encoder: SentenceEncoder, batchSize: Int = 32, maxLength: Int? = nil, unit: String = "texts",
  quiet: Bool = false, command: String
) throws -> Tensor<Float> {
  let bar = ProgressBar(enabled: !quiet)
  defer { bar.finish() }
  do {
    return try encoder.encode(texts, batchSize: batchSize, maxLength: maxLength) { done, total in
      bar.update(Double(done) / Double(max(1, total)), "\(done)/\(total) \(unit)")
    }
  } catch {
    throw fail(command, describe(error))
  }
}
