import CosineCore
import CosineLosses
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Named models saved to and loaded from one file.
///
/// The file is JSON, so it can be inspected with any tool:
/// ```json
/// {"format": "cosinekit-model", "version": 1, "metadata": {"loss": "embedding"},
///  "models": [{"name": "left", "layers": [
///    {"type": "dense", "activation": "tanh",
///     "weight": {"shape": [32, 64], "values": [0.0123, ...]}, "bias": {"shape": [64], "values": [...]}},
///    {"type": "l2Normalize", "axis": -1, "eps": 1e-12}]}]}
/// ```
/// Every value is written as the shortest decimal that reads back as the same `Double` (each
/// `Float` or `Float16` parameter is exactly a `Double`), so a save/load round trip is bit-exact;
/// NaN and infinities are written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
///
/// Layers that can be saved: ``Dense``, ``ActivationLayer``, ``L2NormalizeLayer``, nested
/// ``Sequential`` containers, and ``LowRankAdapter`` (saved as its dense form, `I + U·Vᵀ`).
///
/// ```swift
/// try ModelFile(["tower": tower]).write(to: "tower.json")
/// let loaded = try ModelFile<Float>(contentsOf: "tower.json")["tower"]
/// ```
public struct ModelFile<Scalar: TensorScalar>: Sendable {
  /// The format version this library writes and the newest it reads.
  public static var formatVersion: Int { 1 }

  /// A named model.
  public struct Entry: Sendable {
    /// The model's name, unique within a file.
    public var name: String
    /// The model.
    public var model: Sequential<Scalar>

    /// Creates an entry.
    public init(name: String, model: Sequential<Scalar>) {
      self.name = name
      self.model = model
    }
  }

  /// The models, in file order.
  public var entries: [Entry]
  /// Free-form string pairs (for example how the models were trained).
  public var metadata: [String: String]

  /// Creates a file of `entries`.
  public init(entries: [Entry], metadata: [String: String] = [:]) {
    self.entries = entries
    self.metadata = metadata
  }

  /// Creates a file of the models in a dictionary literal, in literal order.
  public init(_ models: KeyValuePairs<String, Sequential<Scalar>>, metadata: [String: String] = [:]) {
    self.init(entries: models.map { Entry(name: $0.key, model: $0.value) }, metadata: metadata)
  }

  /// The model named `name`, if any.
  public subscript(name: String) -> Sequential<Scalar>? {
    entries.first { $0.name == name }?.model
  }

  /// The file's bytes (UTF-8 JSON).
  ///
  /// - Throws: ``TrainingFileError`` (path `"<model file>"`) for a layer type that cannot be
  ///   saved or a repeated name.
  public func encoded() throws -> [UInt8] {
    var seen = Set<String>()
    for e in entries where !seen.insert(e.name).inserted {
      throw TrainingFileError(path: "<model file>", message: "two models are named '\(e.name)'")
    }
    let stored = StoredFile(
      format: StoredFile.formatName, version: Self.formatVersion, scalar: Scalar.numpyName, metadata: metadata,
      models: try entries.map { StoredModel(name: $0.name, layers: try StoredLayer.layers(of: $0.model)) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return Array(try encoder.encode(stored))
  }

  /// Reads a file's bytes; parameters are converted to `Scalar` (rounded to nearest) if the
  /// file was written with another scalar type.
  ///
  /// - Throws: ``TrainingFileError`` (path `"<model file>"`) naming what is malformed: not
  ///   JSON, another format, a newer version, an unknown layer type or activation, a shape that
  ///   does not match its values, or layer sizes that do not chain.
  public init(decoding bytes: [UInt8]) throws {
    try self.init(decoding: bytes, path: "<model file>")
  }

  /// Writes the file atomically (a reader never sees a partial file).
  ///
  /// - Throws: ``TrainingFileError`` naming `path`.
  public func write(to path: String) throws {
    let bytes: [UInt8]
    do { bytes = try encoded() } catch let e as TrainingFileError {
      throw TrainingFileError(path: path, message: e.message)
    }
    try FileBytes.writeAtomically(bytes, to: path)
  }

  /// Reads a file written by ``write(to:)``.
  ///
  /// - Throws: ``TrainingFileError`` naming `path`.
  public init(contentsOf path: String) throws {
    try self.init(decoding: try FileBytes.read(path), path: path)
  }

  private init(decoding bytes: [UInt8], path: String) throws {
    func fail(_ message: String) -> TrainingFileError { TrainingFileError(path: path, message: message) }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    let header: StoredHeader
    do { header = try decoder.decode(StoredHeader.self, from: Data(bytes)) } catch {
      throw fail("not a CosineKit model file (expected a JSON object with \"format\": \"\(StoredFile.formatName)\")")
    }
    guard header.format == StoredFile.formatName else {
      throw fail("not a CosineKit model file (format is '\(header.format)')")
    }
    guard header.version >= 1, header.version <= Self.formatVersion else {
      throw fail(
        "model file version \(header.version) is not supported (this library reads up to \(Self.formatVersion))")
    }
    let stored: StoredFile
    do { stored = try decoder.decode(StoredFile.self, from: Data(bytes)) } catch {
      throw fail("malformed model file: \(Self.describe(error))")
    }
    var seen = Set<String>()
    entries = try stored.models.map { m in
      guard seen.insert(m.name).inserted else { throw fail("two models are named '\(m.name)'") }
      do {
        return Entry(name: m.name, model: try StoredLayer.sequential(m.layers, as: Scalar.self))
      } catch let e as TrainingFileError {
        throw fail("model '\(m.name)': \(e.message)")
      }
    }
    metadata = stored.metadata ?? [:]
  }

  /// A one-line account of a decoding error: what was expected where.
  private static func describe(_ error: Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    func path(_ c: DecodingError.Context) -> String {
      c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch e {
    case .keyNotFound(let key, let c):
      return "missing \"\(key.stringValue)\" at \(path(c).isEmpty ? "top level" : path(c))"
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
      return "\(c.debugDescription) at \(path(c).isEmpty ? "top level" : path(c))"
    @unknown default: return "\(error)"
    }
  }
}

// MARK: Stored form

private struct StoredHeader: Decodable {
  package var format: String
  package var version: Int
}

private struct StoredFile: Codable {
  package static let formatName = "cosinekit-model"
  package var format: String
  package var version: Int
  package var scalar: String
  package var metadata: [String: String]?
  package var models: [StoredModel]
}

private struct StoredModel: Codable {
  package var name: String
  package var layers: [StoredLayer]
}

private struct StoredTensor: Codable {
  package var shape: [Int]
  package var values: [Double]

  package init<T: TensorScalar>(_ t: Tensor<T>) {
    shape = t.shape
    values = ScalarDispatch.toDoubles(t.scalars)
  }

  package func tensor<T: TensorScalar>(_ what: String) throws -> Tensor<T> {
    let n: Int
    do { n = try Shape.count(shape) } catch { throw TrainingFileError(path: "", message: "\(what): \(error)") }
    guard n == values.count else {
      throw TrainingFileError(
        path: "", message: "\(what) has shape \(Shape.describe(shape)) but \(values.count) values")
    }
    // A model holding NaN or infinity would embed everything as NaN: rejected on load.
    if let i = values.firstIndex(where: { !$0.isFinite }) {
      throw TrainingFileError(path: "", message: "\(what) value \(i) is \(values[i]), not a finite number")
    }
    let scalars: [T] = ScalarDispatch.toScalars(values)
    if let i = scalars.firstIndex(where: { !$0.isFinite }) {
      throw TrainingFileError(
        path: "",
        message: "\(what) value \(i) (\(values[i])) is out of range for \(T.numpyName)"
      )
    }
    return Tensor(uncheckedShape: shape, scalars: scalars)
  }
}

private struct StoredLayer: Codable {
  package var type: String
  package var activation: String?
  package var weight: StoredTensor?
  package var bias: StoredTensor?
  package var axis: Int?
  package var eps: Double?
  package var layers: [StoredLayer]?

  package static func layers<T>(of model: Sequential<T>) throws -> [StoredLayer] {
    try model.layers.enumerated().map { i, layer in
      switch layer {
      case let d as Dense<T>:
        return StoredLayer(
          type: "dense", activation: d.activation.rawValue, weight: StoredTensor(d.weight),
          bias: d.bias.map(StoredTensor.init))
      case let a as LowRankAdapter<T>:  // saved as its dense form, I + U·Vᵀ
        let d = a.dense()
        return StoredLayer(
          type: "dense", activation: "linear", weight: StoredTensor(d.weight), bias: d.bias.map(StoredTensor.init))
      case let a as ActivationLayer<T>:
        return StoredLayer(type: "activation", activation: a.function.rawValue)
      case let n as L2NormalizeLayer<T>:
        return StoredLayer(type: "l2Normalize", axis: n.axis, eps: n.eps)
      case let s as Sequential<T>:
        return StoredLayer(type: "sequential", layers: try layers(of: s))
      default:
        throw TrainingFileError(path: "", message: "layer \(i) (\(Swift.type(of: layer))) cannot be saved")
      }
    }
  }

  package static func sequential<T: TensorScalar>(_ stored: [StoredLayer], as _: T.Type) throws -> Sequential<T> {
    var width: Int?
    return try sequential(stored, as: T.self, prefix: "", width: &width)
  }

  /// The layers of `stored`; `width` is the row width the previous layer gives (nil: unknown),
  /// updated as layers are read so that widths must chain also into and out of nested
  /// sequentials. Layers are named by their path: `layer 2`, `layer 2.0`, ...
  package static func sequential<T: TensorScalar>(
    _ stored: [StoredLayer], as _: T.Type, prefix: String, width: inout Int?
  ) throws -> Sequential<T> {
    var layers: [any Layer<T>] = []
    for (i, s) in stored.enumerated() {
      let name = prefix + String(i)
      func fail(_ m: String) -> TrainingFileError { TrainingFileError(path: "", message: "layer \(name): \(m)") }
      func activation() throws -> Activation {
        guard let name = s.activation else { throw fail("missing \"activation\"") }
        guard let a = Activation(rawValue: name) else { throw fail("unknown activation '\(name)'") }
        return a
      }
      let layer: any Layer<T>
      switch s.type {
      case "dense":
        guard let w = s.weight else { throw fail("missing \"weight\"") }
        do {
          let d = try Dense<T>(
            weight: try w.tensor("weight"), bias: try s.bias.map { try $0.tensor("bias") }, activation: activation())
          if let width, width != d.inputSize {
            throw fail("takes rows of \(d.inputSize) but the previous layer gives \(width)")
          }
          width = d.outputSize
          layer = d
        } catch let e as TrainingFileError where e.path.isEmpty {
          throw e.message.hasPrefix("layer ") ? e : fail(e.message)
        } catch {
          throw fail("\(error)")
        }
      case "activation":
        layer = ActivationLayer<T>(try activation())
      case "l2Normalize":
        let eps = s.eps ?? 1e-12
        guard eps >= 0, eps.isFinite else { throw fail("eps must be a finite number >= 0") }
        // A tower takes matrices [n, d]: the axis must be one of theirs.
        let axis = s.axis ?? -1
        guard axis >= -2, axis <= 1 else {
          throw fail("axis \(axis) is out of range for the rows [n, d] a tower takes (valid: -2...1)")
        }
        layer = L2NormalizeLayer<T>(axis: axis, eps: eps)
      case "sequential":
        layer = try sequential(s.layers ?? [], as: T.self, prefix: name + ".", width: &width)
      default:
        throw fail("unknown layer type '\(s.type)'")
      }
      layers.append(layer)
    }
    return Sequential(layers)
  }
}
