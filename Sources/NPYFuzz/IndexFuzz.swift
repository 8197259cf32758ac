import CosineKit

/// Runs `bytes` through ``CosineIndexFile/init(decoding:source:)``: a rejected input yields a
/// one-line ``NPYError`` naming the source; an accepted one reports consistent counts and
/// answers a search, a filtered search and a search of every quantization path without trapping,
/// with ids it holds, in rank order.
func checkIndexDecode(_ bytes: UnsafeRawBufferPointer) {
  let index: CosineIndexFile
  do {
    index = try CosineIndexFile(decoding: bytes, source: "fuzz-input")
  } catch let error as NPYError {
    precondition(error.path == "fuzz-input", "error names the wrong source: \(error)")
    precondition(!error.message.isEmpty, "empty error message")
    precondition(!error.description.contains(where: \.isNewline), "multi-line error: \(error)")
    return
  } catch {
    preconditionFailure("the index reader threw a \(type(of: error)), not an NPYError: \(error)")
  }
  let ids = index.ids
  precondition(ids.count == index.count, "\(ids.count) ids for \(index.count) rows")
  let known = Set(ids)
  let d = index.dimension
  guard d <= 4096, let q = try? Tensor<Float>(shape: [2, d], scalars: (0..<2 * d).map { Float($0 % 7) - 3 }) else {
    return
  }
  do {
    for (filter, rescore) in [(nil, nil), (CosineIndexFilter.denying(ids.prefix(2)), nil), (nil, 2)]
      as [(CosineIndexFilter?, Int?)]
    {
      let r = try index.search(q, k: 3, filter: filter, rescore: rescore)
      precondition(r.k <= 3 && r.k <= index.count, "k \(r.k) for \(index.count) rows")
      for i in r.indices { precondition(known.contains(i), "a search returned id \(i), which the index lacks") }
    }
    // An inverted file: probing one list, two, and every list (the exact search).
    if let lists = index.listCount {
      precondition(index.listSizes.reduce(0, +) == index.count, "list sizes do not add up to the row count")
      for nprobe in [1, 2, lists] {
        let r = try index.search(q, k: 3, nprobe: nprobe, filter: .denying(ids.prefix(1)))
        for i in r.indices { precondition(known.contains(i), "a search returned id \(i), which the index lacks") }
      }
    }
  } catch {
    preconditionFailure("a search of a valid index failed: \(error)")
  }
}
