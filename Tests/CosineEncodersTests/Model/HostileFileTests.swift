import CosineEncoders
import Foundation
import Testing

/// Damaged or hostile model directories are refused with one line naming the file and field.
@Suite struct HostileFileTests {
  /// A copy of the `gte` fixture in a fresh temporary directory.
  func copy() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("encoder-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: Fixtures.directory("gte"), to: dir)
    return dir
  }

  /// Loads `dir` and returns the one-line message, or nil if it loaded.
  func failure(_ dir: URL) -> String? {
    defer {
      // Only ever the copies made by `copy()`.
      if dir.lastPathComponent.hasPrefix("encoder-") { try? FileManager.default.removeItem(at: dir) }
    }
    do {
      _ = try SentenceEncoderModel(contentsOf: dir)
      return nil
    } catch let error as EncoderModelError {
      return error.description
    } catch {
      return "unexpected \(error)"
    }
  }

  /// Rewrites `config.json` with `edit` applied.
  func config(_ edit: (inout [String: Any]) -> Void) throws -> URL {
    let dir = try copy()
    let url = dir.appendingPathComponent("config.json")
    var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    edit(&json)
    try JSONSerialization.data(withJSONObject: json).write(to: url)
    return dir
  }

  /// The safetensors header and data of the fixture.
  func parts() throws -> (header: [String: Any], data: Data) {
    let bytes = try Data(contentsOf: Fixtures.directory("gte").appendingPathComponent("model.safetensors"))
    let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
    return (header, bytes.subdata(in: (8 + n)..<bytes.count))
  }

  /// Writes a safetensors file of `header` (raw JSON bytes) and `data` into a copy.
  func weights(headerBytes: Data, data: Data, length: UInt64? = nil) throws -> URL {
    let dir = try copy()
    var out = Data()
    var n = (length ?? UInt64(headerBytes.count)).littleEndian
    withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
    out.append(headerBytes)
    out.append(data)
    try out.write(to: dir.appendingPathComponent("model.safetensors"))
    return dir
  }

  func weights(_ edit: (inout [String: Any]) -> Void, data: ((Data) -> Data)? = nil) throws -> URL {
    var (header, body) = try parts()
    edit(&header)
    return try weights(headerBytes: JSONSerialization.data(withJSONObject: header), data: data?(body) ?? body)
  }

  func entry(_ header: [String: Any], _ name: String) -> [String: Any] { header[name] as! [String: Any] }

  @Test func theFixtureLoads() throws {
    #expect(failure(try copy()) == nil)
  }

  /// Each (field, JSON literal) makes `config.json` invalid.
  @Test(arguments: [
    ("model_type", "\"roberta\""), ("position_embedding_type", "\"relative_key\""), ("hidden_act", "\"swish\""),
    ("hidden_size", "-32"), ("num_hidden_layers", "1000000000"), ("vocab_size", "1e300"),
    ("num_attention_heads", "5"), ("layer_norm_eps", "-1"), ("intermediate_size", "\"64\""),
  ])
  func badConfigurations(field: String, literal: String) throws {
    let value = try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed)
    let message = failure(try config { $0[field] = value })
    #expect(message?.contains("config.json") == true && message?.contains(field) == true, "\(message ?? "loaded")")
  }

  @Test func configurationDisagreeingWithTheShapes() throws {
    let message = failure(try config { $0["intermediate_size"] = 48 })
    #expect(message?.contains("model.safetensors") == true && message?.contains("intermediate.dense") == true)
  }

  @Test func missingTensor() throws {
    let message = failure(try weights { $0["encoder.layer.1.output.dense.bias"] = nil })
    #expect(message?.contains("missing tensor 'encoder.layer.1.output.dense.bias'") == true, "\(message ?? "loaded")")
  }

  /// JSON files are read up to a bound, never whole: a `config.json` or `modules.json` that
  /// never ends (here `/dev/zero`) is one error, not a hang.
  @Test func endlessConfigurationFiles() throws {
    for name in ["config.json", "modules.json", "sentence_bert_config.json"] {
      let dir = try copy()
      let url = dir.appendingPathComponent(name)
      try? FileManager.default.removeItem(at: url)
      try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "/dev/zero")
      let message = failure(dir)
      #expect(message?.hasPrefix(url.path + ": larger than") == true, "\(name): \(message ?? "loaded")")
    }
  }

  @Test func truncatedFiles() throws {
    let (header, data) = try parts()
    let headerBytes = try JSONSerialization.data(withJSONObject: header)
    for message in [
      failure(try weights(headerBytes: headerBytes, data: data.prefix(data.count - 1))),
      failure(try shortFile()),
      failure(try weights(headerBytes: headerBytes.prefix(10), data: Data(), length: UInt64(headerBytes.count))),
      failure(try weights(headerBytes: headerBytes, data: data, length: 1 << 40)),
      failure(try weights(headerBytes: headerBytes, data: data, length: 99_000_000_000)),
    ] {
      #expect(message != nil && message?.contains("\n") == false, "\(message ?? "loaded")")
    }
  }

  /// A copy whose weights file is 3 bytes long, too short for the header length.
  func shortFile() throws -> URL {
    let dir = try copy()
    try Data([1, 2, 3]).write(to: dir.appendingPathComponent("model.safetensors"))
    return dir
  }

  @Test func malformedHeader() throws {
    let message = failure(try weights(headerBytes: Data("{\"a\": [1, 2".utf8), data: Data()))
    #expect(message?.contains("header is not a JSON object") == true)
  }

  @Test func badOffsets() throws {
    let name = "encoder.layer.0.output.dense.bias"
    let edits: [(inout [String: Any]) -> Void] = [
      { h in
        var e = h[name] as! [String: Any]; e["data_offsets"] = [0, 1 << 40]; h[name] = e
      },
      { h in
        var e = h[name] as! [String: Any]; let o = e["data_offsets"] as! [Int]; e["data_offsets"] = [o[1], o[0]];
        h[name] = e
      },
      { h in
        var e = h[name] as! [String: Any]; e["data_offsets"] = [0, 128]; h[name] = e
      },
      { h in
        var e = h[name] as! [String: Any]; e["data_offsets"] = [-4, 124]; h[name] = e
      },
    ]
    for edit in edits {
      let message = failure(try weights(edit))
      #expect(message?.contains("data_offsets") == true && message?.contains(name) == true, "\(message ?? "loaded")")
    }
  }

  @Test func unsupportedAndUnknownDtypes() throws {
    let name = "encoder.layer.0.output.dense.bias"
    let unsupported = failure(
      try weights { h in
        var e = h[name] as! [String: Any]; e["dtype"] = "I32"; h[name] = e
      })
    #expect(unsupported?.contains("unsupported dtype I32") == true, "\(unsupported ?? "loaded")")
    let unknown = failure(
      try weights { h in
        var e = h[name] as! [String: Any]; e["dtype"] = "Q4"; h[name] = e
      })
    #expect(unknown?.contains("'dtype'") == true, "\(unknown ?? "loaded")")
  }

  @Test func overflowingShape() throws {
    let name = "encoder.layer.0.output.dense.bias"
    let message = failure(
      try weights { h in
        var e = h[name] as! [String: Any]; e["shape"] = [1 << 40, 1 << 40]; h[name] = e
      })
    #expect(message?.contains("overflows") == true, "\(message ?? "loaded")")
  }

  @Test func unknownModuleType() throws {
    let dir = try copy()
    let url = dir.appendingPathComponent("modules.json")
    let modules: [[String: Any]] = [
      ["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"],
      ["idx": 1, "name": "1", "path": "1_Dense", "type": "sentence_transformers.models.Dense"],
    ]
    try JSONSerialization.data(withJSONObject: modules).write(to: url)
    let message = failure(dir)
    #expect(message?.contains("modules.json") == true && message?.contains("models.Dense") == true)
  }

  @Test func unknownPoolingMode() throws {
    let dir = try copy()
    try Data("{\"pooling_mode\": \"median\"}".utf8).write(to: dir.appendingPathComponent("1_Pooling/config.json"))
    let message = failure(dir)
    #expect(message?.contains("1_Pooling/config.json") == true && message?.contains("pooling_mode") == true)
  }
}
