import Foundation

/// Reading a model directory's small files (JSON configurations, vocabularies) with a bound on
/// their size: a file larger than the limit (or one that never ends) is refused after reading at
/// most `limit + 1` bytes, never read whole.
enum ModelFile {
  /// The bytes of `url`, at most `limit` of them.
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)``: "cannot read the file", or
  ///   "larger than `limit` bytes".
  static func bytes(_ url: URL, limit: Int) throws -> Data {
    let fail = { (reason: String) in EncoderModelError.invalidFile(path: url.path, reason: reason) }
    guard let handle = try? FileHandle(forReadingFrom: url) else { throw fail("cannot read the file") }
    defer { try? handle.close() }
    // A read may return less than asked (pipes, devices): read until the end or past the limit.
    var data = Data()
    while data.count <= limit {
      let chunk: Data?
      do { chunk = try handle.read(upToCount: limit + 1 - data.count) } catch { throw fail("cannot read the file") }
      guard let chunk, !chunk.isEmpty else { return data }  // nil or empty: the end of the file
      data.append(chunk)
    }
    throw fail("larger than \(limit) bytes")
  }

  /// The JSON value of `url` (at most `limit` bytes) as `T`, or `nil` if it is not one.
  ///
  /// - Throws: as ``bytes(_:limit:)``.
  static func json<T>(_ url: URL, as _: T.Type, limit: Int = 1 << 20) throws -> T? {
    let data = try bytes(url, limit: limit)
    return (try? JSONSerialization.jsonObject(with: data)) as? T
  }

  /// The JSON object of `url` (at most `limit` bytes).
  ///
  /// - Throws: as ``bytes(_:limit:)``; "not a JSON object" for anything else.
  static func jsonObject(_ url: URL, limit: Int = 1 << 20) throws -> [String: Any] {
    guard let object = try json(url, as: [String: Any].self, limit: limit) else {
      throw EncoderModelError.invalidFile(path: url.path, reason: "not a JSON object")
    }
    return object
  }
}
