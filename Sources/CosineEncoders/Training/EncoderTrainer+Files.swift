import CosineCore
import CosineLosses
import Foundation

extension EncoderTrainer {
  /// Saves the encoder as trained so far into `directory` as a sentence-transformers model
  /// directory: `source`'s files (configurations, tokenizer, `modules.json`, pooling) with a
  /// `model.safetensors` of the trained tensors in `F32` under the source's names, every other
  /// tensor of the source file copied unchanged, and the `extra` files. Weights in other formats
  /// (`pytorch_model.bin`, ONNX, OpenVINO) are not copied. The files are written into a sibling
  /// directory first and moved into place by renames; entries of `directory` with other names
  /// are left alone.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file that cannot be
  ///   read or written; nothing in `directory` is replaced then.
  public func save(to directory: URL, source: URL, extra: [String: Data] = [:]) throws {
    let staging = FineTunedDirectory.stagingURL(beside: directory)
    defer { FineTunedDirectory.finished(staging) }
    do {
      try FineTunedDirectory.stage(parameters, source: source, into: staging, extra: extra)
      try FineTunedDirectory.publish(staging, to: directory)
    } catch {
      try? FileManager.default.removeItem(at: staging)
      throw error
    }
  }

  /// The run's identity in a checkpoint: the options, the number of examples and the loss, so a
  /// resumed run can check it continues the same schedule.
  public func checkpointState(examples: Int, lossName: String) -> [String: String] {
    let o = options
    return [
      "epochs": String(o.epochs), "batch_size": String(o.batchSize), "learning_rate": String(o.learningRate),
      "warmup_ratio": String(o.warmupRatio), "weight_decay": String(o.weightDecay),
      "max_grad_norm": String(o.maxGradientNorm), "max_length": o.maxLength.map(String.init) ?? "default",
      "seed": String(o.seed), "dropout": String(o.dropout),
      "mini_batch_size": o.miniBatchSize.map(String.init) ?? "none", "examples": String(examples), "loss": lossName,
    ]
  }

  /// Writes a checkpoint `directory` (which must not exist): the model directory of
  /// ``save(to:source:extra:)``, AdamW's moments (`optimizer.safetensors`) and `trainer_state.json`
  /// (the step and ``checkpointState(examples:lossName:)``), staged and then renamed into place
  /// in one step, so a killed run leaves either the whole checkpoint or none.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming what cannot be written.
  public func saveCheckpoint(to directory: URL, source: URL, state: [String: String], extra: [String: Data] = [:])
    throws
  {
    var json = state
    json["step"] = String(stepsTaken)
    let stateData = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted])
    func bytes(_ v: [Float]) -> Data { v.withUnsafeBufferPointer { Data(buffer: $0) } }
    let moments = try SafeTensorsFile.encode([
      ("exp_avg", "F32", [optimizer.m.count], bytes(optimizer.m)),
      ("exp_avg_sq", "F32", [optimizer.v.count], bytes(optimizer.v)),
    ])
    let staging = FineTunedDirectory.stagingURL(beside: directory)
    defer { FineTunedDirectory.finished(staging) }
    do {
      var files = extra
      files["trainer_state.json"] = stateData
      files["optimizer.safetensors"] = moments
      try FineTunedDirectory.stage(parameters, source: source, into: staging, extra: files)
      guard rename(staging.path, directory.path) == 0 else {
        throw EncoderModelError.invalidFile(
          path: directory.path, reason: "cannot move the checkpoint into place (\(String(cString: strerror(errno))))")
      }
    } catch {
      try? FileManager.default.removeItem(at: staging)
      throw error
    }
  }

  /// A trainer continuing from a checkpoint written by ``saveCheckpoint(to:source:state:extra:)``:
  /// its weights, AdamW's moments and step count.
  ///
  /// - Parameters:
  ///   - checkpoint: the checkpoint directory.
  ///   - loss: the loss (the run's own; it is not saved in the checkpoint).
  ///   - options: the run's options, which `state` records.
  ///   - state: this run's ``checkpointState(examples:lossName:)``, which must equal the
  ///     checkpoint's (the same options, examples and loss), or the schedule would not continue.
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the file or the field that
  ///   differs; what loading the model throws.
  public init(
    resumingFrom checkpoint: URL, loss: any BatchCosineLoss, options: FineTuningOptions,
    state: (EncoderTrainer) -> [String: String]
  ) throws {
    try self.init(
      resumingFrom: checkpoint, encoder: try SentenceEncoder(contentsOf: checkpoint), loss: loss, options: options,
      state: state)
  }

  /// ``init(resumingFrom:loss:options:state:)`` with the checkpoint's encoder already loaded.
  package init(
    resumingFrom checkpoint: URL, encoder: SentenceEncoder, loss: any BatchCosineLoss, options: FineTuningOptions,
    state: (EncoderTrainer) -> [String: String]
  ) throws {
    try self.init(encoder: encoder, loss: loss, options: options)
    let stateURL = checkpoint.appendingPathComponent("trainer_state.json")
    let saved = try ModelFile.jsonObject(stateURL)
    for (key, value) in state(self).sorted(by: { $0.key < $1.key }) {
      let old = saved[key].map { "\($0)" } ?? "(missing)"
      guard old == value else {
        throw EncoderModelError.invalidFile(
          path: stateURL.path,
          reason: "field '\(key)' is \(old) but this run has \(value); resume with the same settings")
      }
    }
    guard let stepText = saved["step"] as? String, let step = Int(stepText), step >= 0 else {
      throw EncoderModelError.invalidFile(path: stateURL.path, reason: "field 'step' is not a count")
    }
    let url = checkpoint.appendingPathComponent("optimizer.safetensors")
    let file = try SafeTensorsFile(contentsOf: url)
    optimizer.m = try file.floats("exp_avg", shape: [parameters.layout.count])
    optimizer.v = try file.floats("exp_avg_sq", shape: [parameters.layout.count])
    optimizer.step = step
  }
}
