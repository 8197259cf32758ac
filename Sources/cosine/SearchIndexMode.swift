import ArgumentParser
import CosineKit

/// `cosine search --index`: search a mapped index file, with id filters and partial results.
extension SearchCommand {
  /// Exactly one of --corpus and --index; the index-only options only with --index.
  func validateIndexOptions() throws {
    guard corpus.isEmpty != (index == nil) else {
      throw ValidationError(
        corpus.isEmpty ? "a --corpus file or an --index is needed" : "give either --corpus files or --index, not both")
    }
    guard allowIds == nil || denyIds == nil else {
      throw ValidationError("give either --allow-ids or --deny-ids, not both")
    }
    if index == nil, allowIds != nil || denyIds != nil || rescore != nil || nprobe != nil {
      throw ValidationError("--allow-ids, --deny-ids, --rescore and --nprobe need --index")
    }
    if let rescore, rescore < 1 { throw ValidationError("--rescore must be at least 1, got \(rescore)") }
    if let nprobe, nprobe < 1 { throw ValidationError("--nprobe must be at least 1, got \(nprobe)") }
  }

  func runIndexSearch() throws {
    let path = index!
    let q = try loadQueries().converted(to: Float.self)
    let x = try CosineIndexFile(mapping: path)
    guard q.rank <= 2, q.rank >= 1, q.shape.last == x.dimension else {
      throw CLIError(
        "\(queriesName), \(path): queries of shape \(Shape.describe(q.shape)) do not match the index's dimension \(x.dimension)"
      )
    }
    if rescore != nil && x.quantization != .binary {
      throw CLIError(
        "\(path): --rescore needs an index built with --quantize binary (this one is \(x.quantization.rawValue))")
    }
    if nprobe != nil && x.listCount == nil {
      throw CLIError(
        "\(path): --nprobe needs an inverted-file index (cosine index build --ivf NLIST); this one is flat")
    }
    noteResultCount(topK: topK, rows: x.count, corpus: path)
    var filter: CosineIndexFilter?
    if let a = allowIds { filter = .allowing(try NPY.readIDs(contentsOf: a)) }
    if let d = denyIds { filter = .denying(try NPY.readIDs(contentsOf: d)) }
    let corpusTexts = try loadTexts()
    let r = try naming([queriesName, path]) {
      if let nprobe { return try x.search(q, k: topK, nprobe: nprobe, filter: filter) }
      return try x.search(q, k: topK, filter: filter, rescore: rescore)
    }
    var out = Outputs()
    out.add(AnyTensor(r.scoreTensor), to: scores)
    out.addInt64(r.indices, shape: [r.queryCount, r.k], to: indices)
    if let partial { out.add(bytes: try r.partialArchive(), to: partial) }
    try out.commit()
    if format != nil || (indices == nil && scores == nil && partial == nil) {
      SearchOutput.print(r, style: format ?? .table, queryTexts: text.isEmpty ? nil : text, texts: corpusTexts)
    }
  }
}
