import CosineCore
import Foundation

/// Saving a fine-tuned encoder as a sentence-transformers model directory that
/// `SentenceTransformer(path)` loads, and the checkpoints a run resumes from.
///
/// The directory holds the source directory's files (configurations, tokenizer files,
/// `modules.json`, pooling and normalization folders, README) and a `model.safetensors` with the
/// trained tensors in `F32` under the source's names and shapes, every other tensor of the source
/// file (a pooler, buffers) copied unchanged. Weights in other formats (`pytorch_model.bin`,
/// ONNX, OpenVINO, TensorFlow, Flax) are not copied: they would hold the old weights.
///
/// Everything is written into a fresh sibling directory first and moved into place by renames,
/// so a run killed while saving leaves the previous files whole.
package enum FineTunedDirectory {
  /// Files and folders of a source directory that are not copied.
  static func skips(_ name: String) -> Bool {
    let dropped: Set<String> = [
      "model.safetensors", "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "rust_model.ot", "onnx",
      "openvino", "loss.csv", "trainer_state.json", "optimizer.safetensors", "model.safetensors.index.json",
    ]
    return dropped.contains(name) || name.hasPrefix(".") || name.hasPrefix("checkpoint-")
  }

  /// Writes the model directory's files into the new directory `staging` (created; it must not
  /// exist): `source`'s files and a `model.safetensors` of `parameters`, plus `extra` files.
  package static func stage(
    _ parameters: BertParameters<Float>, source: URL, into staging: URL, extra: [String: Data] = [:]
  ) throws {
    let fm = FileManager.default
    let fail = { (path: String, reason: String) in EncoderModelError.invalidFile(path: path, reason: reason) }
    do { try fm.createDirectory(at: staging, withIntermediateDirectories: false) } catch {
      throw fail(staging.path, "cannot create the directory (\(error.localizedDescription))")
    }
    try copyFiles(from: source, to: staging)
    let sourceFile = try SafeTensorsFile(contentsOf: source.appendingPathComponent("model.safetensors"))
    let prefix = sourceFile.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
    var trained: [String: BertParameterLayout.Entry] = [:]
    for e in parameters.layout.entries { trained[prefix + e.name] = e }
    var tensors: [(name: String, dtype: String, shape: [Int], data: Data)] = []
    for (name, entry) in sourceFile.entries.sorted(by: { $0.value.range.lowerBound < $1.value.range.lowerBound }) {
      if let e = trained[name] {
        let values = parameters.torchValues(e)
        let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
        tensors.append((name, "F32", e.shape, data))
      } else if let bytes = sourceFile.bytes(name) {
        tensors.append((name, entry.dtype, entry.shape, bytes))
      }
    }
    try write(try SafeTensorsFile.encode(tensors), to: staging.appendingPathComponent("model.safetensors"))
    for (name, data) in extra { try write(data, to: staging.appendingPathComponent(name)) }
  }

  /// Moves every entry of `staging` into `directory` (created if missing), replacing entries of
  /// the same name, `model.safetensors` last; then removes `staging`.
  package static func publish(_ staging: URL, to directory: URL) throws {
    let fm = FileManager.default
    let fail = { (reason: String) in EncoderModelError.invalidFile(path: directory.path, reason: reason) }
    do {
      try fm.createDirectory(at: directory, withIntermediateDirectories: true)
      let names = try fm.contentsOfDirectory(atPath: staging.path).sorted {
        ($0 == "model.safetensors" ? 1 : 0, $0) < ($1 == "model.safetensors" ? 1 : 0, $1)
      }
      for name in names {
        let target = directory.appendingPathComponent(name)
        let from = staging.appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
          try fm.removeItem(at: target)
        }
        guard rename(from.path, target.path) == 0 else {
          throw fail("cannot move \(name) into place (\(String(cString: strerror(errno))))")
        }
      }
      try fm.removeItem(at: staging)
    } catch let e as EncoderModelError {
      throw e
    } catch {
      throw fail("cannot write the model (\(error.localizedDescription))")
    }
  }

  /// A fresh sibling of `url` to stage into: `.NAME.partial-PID-RANDOM`, recorded for
  /// ``removeAllStaging()`` until ``finished(_:)``.
  package static func stagingURL(beside url: URL) -> URL {
    let parent = url.deletingLastPathComponent()
    let staging = parent.appendingPathComponent(
      ".\(url.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    live.withLock { _ = $0.insert(staging.path) }
    return staging
  }

  /// Forgets a staging directory that was published, moved or removed.
  package static func finished(_ staging: URL) { live.withLock { _ = $0.remove(staging.path) } }

  /// Staging directories not yet published or removed.
  private static let live = LockedValue<Set<String>>([])

  /// Removes every staging directory of this process not yet published (for the thread that
  /// handles SIGINT/SIGTERM/SIGHUP).
  package static func removeAllStaging() {
    live.withLock { set in
      for path in set { try? FileManager.default.removeItem(atPath: path) }
      set.removeAll()
    }
  }

  /// Copies the files of `source` (recursively, following links) except those ``skips(_:)`` names.
  static func copyFiles(from source: URL, to destination: URL) throws {
    let fm = FileManager.default
    let names: [String]
    do { names = try fm.contentsOfDirectory(atPath: source.path) } catch {
      throw EncoderModelError.invalidFile(path: source.path, reason: "cannot list the directory")
    }
    for name in names.sorted() where !skips(name) {
      let from = source.appendingPathComponent(name)
      let to = destination.appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: from.path, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue {
        try fm.createDirectory(at: to, withIntermediateDirectories: false)
        try copyFiles(from: from, to: to)
      } else {
        let data: Data
        do { data = try Data(contentsOf: from, options: .mappedIfSafe) } catch {
          throw EncoderModelError.invalidFile(path: from.path, reason: "cannot be read")
        }
        try write(data, to: to)
      }
    }
  }

  /// Writes `data` to a file at `url` atomically and flushed to the disk (`AtomicFile`).
  static func write(_ data: Data, to url: URL) throws {
    do {
      try AtomicFile.write(to: url.path) { writer in try data.withUnsafeBytes { try writer.write($0) } }
    } catch let e as FileError {
      throw EncoderModelError.invalidFile(path: url.path, reason: "cannot be written (\(e.message))")
    }
  }
}
