import CosineCore

extension CosineSearchResults {
  /// Writes the results as a NumPy `.npz` (stored, what `np.savez` writes): `ids` int64
  /// [Q, k] and `scores` [Q, k] at the precision they were ranked in (float32 for `Float` and
  /// `Float16` searches, float64 for `Double`). One such file per shard of a corpus, read back
  /// with ``readPartial(contentsOf:)`` and merged with ``merging(_:rowOffsets:k:)``, gives
  /// the search of the whole corpus (`cosine search --partial`, `cosine merge`).
  ///
  /// - Throws: ``NPYError`` naming `path` if it cannot be written (atomically: an existing
  ///   file is left as it was on failure).
  /// - Complexity: O(Q·k).
  public func writePartial(to path: String) throws {
    let archive = try NPYError.naming(path) { try partialArchive() }
    try AtomicFile.write(to: path) { try $0.write(archive) }
  }

  /// The bytes of the `.npz` that ``writePartial(to:)`` writes.
  ///
  /// - Throws: ``NPYError`` if the archive would exceed the zip format's 4 GiB member limit.
  /// - Complexity: O(Q·k).
  public func partialArchive() throws -> [UInt8] {
    let shape = [queryCount, k]
    var ids = NPY.headerBytes(descr: "<i8", shape: shape)
    indices.map { Int64($0).littleEndian }.withUnsafeBytes { ids += $0 }
    let scoreBytes: [UInt8]
    if Scalar.worksInDouble {
      scoreBytes = NPY.encode(.float64(Tensor(uncheckedShape: shape, scalars: rankingScores)))
    } else {
      scoreBytes = NPY.encode(.float32(Tensor(uncheckedShape: shape, scalars: rankingScores.map { Float($0) })))
    }
    return try NPZ.encode([NPZ.Member(name: "ids", bytes: ids), NPZ.Member(name: "scores", bytes: scoreBytes)])
  }
}

extension CosineSearchResults where Scalar == Double {
  /// Reads a file ``writePartial(to:)`` (or `np.savez(path, ids=..., scores=...)`) wrote.
  ///
  /// - Returns: The results (indices are the stored ids) and the scores' dtype name
  ///   (`"float32"`, `"float64"` or `"float16"`).
  /// - Throws: ``NPYError`` naming `path` for a missing or malformed archive, a missing `ids`
  ///   or `scores` member, shapes that differ or are not [Q, k], or lists not in rank order.
  /// - Complexity: O(file size).
  public static func readPartial(contentsOf path: String) throws -> (
    results: CosineSearchResults<Double>, scoreType: String
  ) {
    try NPYError.naming(path) {
      let input = try FileInput(path: path)
      var bytes = [UInt8](repeating: 0, count: input.size)
      try bytes.withUnsafeMutableBytes { try input.read(into: $0, at: 0) }
      let members = try NPZ.decode(bytes)
      guard let idm = members.first(where: { $0.name == "ids" }), let sm = members.first(where: { $0.name == "scores" })
      else { throw NPYProblem("a partial result needs the arrays 'ids' and 'scores'; found \(members.map(\.name))") }
      let ids = try idm.bytes.withUnsafeBytes { try NPY.decodeIDs(from: MemoryInput(bytes: $0)) }
      let idShape = try idm.bytes.withUnsafeBytes { try NPYHeader.read(from: MemoryInput(bytes: $0)).shape }
      let scores = try sm.bytes.withUnsafeBytes { try NPY.decode(from: MemoryInput(bytes: $0)) }
      guard scores.shape.count == 2, idShape == scores.shape || (idShape == [scores.shape[0] * scores.shape[1]]) else {
        throw NPYProblem(
          "'ids' \(Shape.describe(idShape)) and 'scores' \(Shape.describe(scores.shape)) must both be [Q, k]")
      }
      let values = scores.converted(to: Double.self).scalars
      let (q, k) = (scores.shape[0], scores.shape[1])
      for i in 0..<q {
        for j in 1..<Swift.max(1, k)
        where SearchOrder.ranksBefore(values[i * k + j], ids[i * k + j], values[i * k + j - 1], ids[i * k + j - 1]) {
          throw NPYProblem("query \(i): results are not in rank order at position \(j)")
        }
      }
      return (
        CosineSearchResults(queryCount: q, k: k, indices: ids, scores: values, rankingScores: values), scores.dtypeName
      )
    }
  }
}
