import ArgumentParser
import CosineKit
import Foundation

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Top-k cosine search of query rows in a corpus.",
    discussion: """
      Per query, the min(K, N) best corpus rows by descending score; ties: lower index first. \
      Several --corpus files are shards of one corpus: they are searched in turn with global \
      row ids (each shard's rows numbered after the previous shards') and the results merged, \
      the same as searching their concatenation. A corpus is streamed through the search in \
      blocks of rows, so memory stays small whatever its size. Results go to --indices/--scores and, when \
      neither is given or --format is, to standard output.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, json, tsv
  }

  @Option(help: ArgumentHelp("Corpus rows [N, D]; repeat for shards of one corpus.", valueName: "C.npy")) var corpus:
    [String] = []
  @Option(help: ArgumentHelp("Query rows [Q, D].", valueName: "Q.npy")) var queries: String?
  @Option(
    help: ArgumentHelp(
      "A query text, embedded with --model (instead of --queries); repeat for several.", valueName: "text"))
  var text: [String] = []
  @Option(help: ArgumentHelp("The sentence-transformers model directory that embeds --text.", valueName: "DIR"))
  var model: String?
  @Option(
    help: ArgumentHelp(
      "The corpus texts, one per line (line i for id i): printed beside each hit.", valueName: "DOCS.txt"))
  var texts: String?
  @Option(name: [.customShort("k"), .customLong("top-k")], parsing: .unconditional, help: "Results per query (>= 1).")
  var topK = 10
  @Option(help: ArgumentHelp("Write the corpus indices [Q, min(K, N)] as int64.", valueName: "I.npy")) var indices:
    String?
  @Option(help: ArgumentHelp("Write the scores [Q, min(K, N)].", valueName: "S.npy")) var scores: String?
  @Option(
    help: ArgumentHelp(
      "Standard output: table, json (one line per query: {\"query\": i, \"results\": [{\"corpus_id\": j, \"score\": s}, ...]}) or tsv (query, rank, corpus_id, score).",
      valueName: "format")) var format: Format?
  @Flag(help: "No progress bar on standard error.") var quiet = false
  @Flag(help: "Accept inputs containing NaN or infinity.") var allowNonfinite = false
  @Option(help: ArgumentHelp("An index file (cosine index build) instead of --corpus.", valueName: "INDEX"))
  var index: String?
  @Option(help: ArgumentHelp("With --index: only these ids may be returned.", valueName: "A.npy")) var allowIds: String?
  @Option(help: ArgumentHelp("With --index: these ids are never returned.", valueName: "D.npy")) var denyIds: String?
  @Option(help: "With a binary --index: rescore the M·K nearest rows by sign bits (approximate).") var rescore: Int?
  @Option(
    help: ArgumentHelp(
      "With an inverted-file --index (cosine index build --ivf): lists scanned per query (default: all, exact; see cosine index tune).",
      valueName: "P"))
  var nprobe: Int?
  @Option(help: ArgumentHelp("Also write the top k as ids and scores for cosine merge.", valueName: "OUT.npz"))
  var partial: String?

  func validate() throws {
    guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
    try validateIndexOptions()
    guard (queries == nil) != text.isEmpty else {
      throw ValidationError(
        queries == nil
          ? "--queries Q.npy or --text (with --model) is needed" : "give either --queries or --text, not both")
    }
    guard text.isEmpty == (model == nil) else {
      throw ValidationError(
        model == nil ? "--text needs --model DIR to embed it" : "--model embeds --text queries: give --text")
    }
  }

  /// The queries' name in messages.
  var queriesName: String { queries ?? "--text" }

  /// The query rows: the --queries file, or the --text queries embedded with --model.
  func loadQueries() throws -> AnyTensor {
    if let queries { return try InputPolicy(allowNonfinite: allowNonfinite).load(queries, as: "queries") }
    let encoder = try loadEncoder(model!, command: "search")
    return AnyTensor(try embedTexts(text, with: encoder, quiet: quiet, command: "search"))
  }

  /// The corpus texts of --texts, if given.
  func loadTexts() throws -> [String]? {
    try texts.map { try readTexts($0, command: "search") }
  }

  func run() throws {
    try OutputPlan.declare(
      ["--indices": indices, "--scores": scores, "--partial": partial],
      inputs: [queries, index, allowIds, denyIds, texts] + corpus.map(Optional.some))
    if index != nil { return try runIndexSearch() }
    let q = try loadQueries()
    var type = ComputeType(q)
    var shapes: [[Int]] = []
    for path in corpus {
      let (shape, scalar) = try NPY.describe(contentsOf: path)
      shapes.append(shape)
      type = max(type, ComputeType(numpyName: scalar))
    }
    try type.dispatch(Job(command: self, queries: q, shapes: shapes))
  }

  struct Job: TypedJob {
    let command: SearchCommand
    let queries: AnyTensor
    let shapes: [[Int]]

    func run<T: TensorScalar>(_: T.Type) throws {
      let c = command
      let q = queries.converted(to: T.self)
      let nq = q.rank == 1 ? 1 : (q.shape.first ?? 0)
      // Shapes first: a mismatch is reported before any corpus is read.
      for (path, shape) in zip(c.corpus, shapes) {
        let d = shape.count == 2 ? shape[1] : (shape.count == 1 ? shape[0] : -1)
        guard q.rank <= 2, d == q.shape.last ?? -1, q.rank == 2 || q.rank == 1 else {
          throw CLIError(
            "\(c.queriesName), \(path): "
              + CosineError.shapeMismatch(
                operation: "top-k search (needs queries [Q, D] and a corpus [N, D])", q.shape, shape
              ).description)
        }
      }
      let rows = shapes.map { $0.count == 2 ? $0[0] : 1 }
      let d = q.shape.last ?? 0
      noteResultCount(
        topK: c.topK, rows: rows.reduce(0) { $0.addingReportingOverflow($1).partialValue },
        corpus: c.corpus.count == 1 ? c.corpus[0] : "the \(c.corpus.count) corpus shards")
      // The results (kept per shard, then merged) are sized before any corpus is read.
      let kept = min(c.topK, rows.reduce(0) { $0.addingReportingOverflow($1).overflow ? Int.max : $0 + $1 })
      let corpusTexts = try c.loadTexts()
      try naming([c.queriesName]) {
        try MemoryBudget.check(
          count: MemoryBudget.elementCount([nq, kept, 2]), elementSize: 16 + MemoryLayout<T>.stride,
          "the results [\(nq), \(kept)] of the search")
      }
      // Progress: loading costs about a byte-second of 2 GB/s, searching 2·Q·N·D flops at 300 GFLOP/s.
      let loadCost = rows.map { Double($0 * d) * 4 / 2e9 }
      let searchCost = rows.map { 2 * Double(nq) * Double($0 * d) / 3e11 }
      let total = max(1e-9, loadCost.reduce(0, +) + searchCost.reduce(0, +))
      let bar = ProgressBar(enabled: !c.quiet)
      defer { bar.finish() }
      var done = 0.0
      var merged: CosineSearchResults<T>?
      var offset = 0
      // The memory of a corpus block, kept from block to block (Float and Float16 corpora).
      let memory = CorpusBlockStorage()
      let barLock = NSLock()
      for (s, path) in c.corpus.enumerated() {
        let label = c.corpus.count > 1 ? " shard \(s + 1)/\(c.corpus.count)" : ""
        let n = rows[s]
        // A shard too large for memory is searched in blocks of rows, each prepared, searched
        // and released in turn; merging the blocks' results equals searching the shard whole.
        for block in corpusBlocks(rows: n, dimension: d, queries: nq, as: T.self, memory: memory) {
          // Called from several threads at once (pieces are read in parallel).
          let inspect = { (first: Int, piece: UnsafeBufferPointer<T>) throws -> Void in
            if !c.allowNonfinite, let i = FiniteCheck.firstNonFinite(piece) {
              let flat = first + i
              throw CLIError(
                "\(path): corpus contains \(piece[i]) at flat index \(flat) (index [\(flat / max(1, d)), \(flat % max(1, d))]) (pass --allow-nonfinite to accept NaN and infinity)"
              )
            }
            barLock.withLock {
              bar.update(
                (done + loadCost[s] * Double(first + piece.count) / Double(max(1, n * d))) / total, "reading\(label)")
            }
          }
          let index = try naming([path]) { () throws -> CosineIndex<T> in
            guard !T.worksInDouble, block.count > 0, d > 0 else {
              return try CosineIndex<T>(contentsOf: path, rows: block, inspecting: inspect)
            }
            // Every block after the first is prepared into the first one's memory.
            return try CosineIndex<T>(contentsOf: path, rows: block, reusing: memory, inspecting: inspect)
          }
          done += loadCost[s] * Double(block.count) / Double(max(1, n))
          // Queries in batches, so that the bar moves during long searches.
          let batch = 2048
          var results: [CosineSearchResults<T>] = []
          for b0 in stride(from: 0, to: max(nq, 1), by: batch) {
            let b1 = min(nq, b0 + batch)
            let part = nq <= batch ? q : try sliceRows(q, b0..<b1)
            results.append(try naming([c.queriesName, path]) { try index.search(part, k: c.topK) })
            bar.update((done + searchCost[s] * Double(b1) / Double(max(1, nq))) / total, "searching\(label)")
          }
          done += searchCost[s] * Double(block.count) / Double(max(1, n))
          // Merged as they come, so that the results of many blocks are never all held.
          let part = results.count == 1 ? results[0] : try concatenate(results)
          merged = try CosineSearchResults.merging(
            merged.map { [$0, part] } ?? [part],
            rowOffsets: merged == nil ? [offset + block.lowerBound] : [0, offset + block.lowerBound],
            k: c.topK)
        }
        offset += n
      }
      let r = try merged ?? CosineSearchResults.merging([], rowOffsets: [], k: c.topK)
      bar.finish()

      var out = Outputs()
      out.add(AnyTensor(r.scoreTensor), to: c.scores)
      out.addIndices(r.indexTensor, to: c.indices)
      if let p = c.partial { out.add(bytes: try r.partialArchive(), to: p) }
      try out.commit()
      if c.format != nil || (c.indices == nil && c.scores == nil && c.partial == nil) {
        SearchOutput.print(r, style: c.format ?? .table, queryTexts: c.text.isEmpty ? nil : c.text, texts: corpusTexts)
      }
    }

    /// Row blocks of a shard of `rows` rows, prepared, searched and released in turn. A block is
    /// 16 MiB of prepared rows, or four times the queries' bytes when that is more (so that
    /// reading the queries once per block stays a small part of the work), which stays in the
    /// cache from its preparation to its search; never more than a third of the memory available
    /// when it is reached (the rest is for the queries, the results, the reading buffers and the
    /// stacks of the worker threads, which the dispatch pool may add under load). One empty
    /// block for an empty shard. `Double` corpora are searched in blocks of that third.
    func corpusBlocks<T: TensorScalar>(
      rows: Int, dimension: Int, queries: Int, as _: T.Type, memory: CorpusBlockStorage
    ) -> UnfoldSequence<Range<Int>, Int> {
      let perRow = max(1, CosineIndex<T>.preparedBytes(rows: 1, dimension: dimension) ?? 1)
      return sequence(state: 0) { (start: inout Int) -> Range<Int>? in
        guard start < rows || (start == 0 && rows == 0) else { return nil }
        if rows == 0 || dimension == 0 {
          start = max(1, rows)
          return 0..<rows
        }
        let most = MemoryBudget.availableBytes / 3 / perRow
        let wanted = T.worksInDouble ? most : max(16 << 20, 4 * queries * perRow) / perRow
        // Never fewer rows than the kept block memory holds: that memory is in use already.
        let step = max(64, memory.rows(dimension: dimension), min(wanted, most))
        let block = start..<min(rows, start + step)
        start = block.upperBound
        return block
      }
    }

    /// Rows `range` of a matrix.
    func sliceRows<T: TensorScalar>(_ t: Tensor<T>, _ range: Range<Int>) throws -> Tensor<T> {
      let d = t.shape[1]
      return try Tensor(
        shape: [range.count, d], scalars: Array(t.scalars[range.lowerBound * d..<range.upperBound * d]))
    }

    /// Results of consecutive query batches as one.
    func concatenate<T: TensorScalar>(_ parts: [CosineSearchResults<T>]) throws -> CosineSearchResults<T> {
      try CosineSearchResults(
        queryCount: parts.reduce(0) { $0 + $1.queryCount }, k: parts[0].k,
        indices: parts.flatMap(\.indices), scores: parts.flatMap(\.scores))
    }
  }
}

/// Standard-output formats of `cosine search`.
enum SearchOutput {
  /// Writes `r` to standard output in `style`, in pieces of about 64 KiB.
  ///
  /// - Parameters:
  ///   - queryTexts: the query texts (`--text`), shown with each query.
  ///   - texts: the corpus texts (`--texts`): hit `id` shows line `id` (nothing for ids beyond
  ///     the file, with a note).
  static func print<T: TensorScalar>(
    _ r: CosineSearchResults<T>, style: SearchCommand.Format, queryTexts: [String]? = nil, texts: [String]? = nil
  ) {
    var text = ""
    var missing = 0
    func corpusText(_ id: Int) -> String? {
      guard let texts else { return nil }
      guard id >= 0, id < texts.count else {
        missing += 1
        return ""
      }
      return texts[id]
    }
    switch style {
    case .table:
      for q in 0..<r.queryCount {
        text += "query \(q):" + (queryTexts.map { " " + oneLine($0[q]) } ?? "") + "\n"
        for (j, h) in r.hits(forQuery: q).enumerated() {
          text += "  \(j + 1)\tcorpus \(h.index)\tscore \(format(h.score))"
          text += corpusText(h.index).map { "\t" + oneLine($0) } ?? ""
          text += "\n"
        }
        flush(&text)
      }
    case .json:
      for q in 0..<r.queryCount {
        let items = r.hits(forQuery: q).map {
          "{\"corpus_id\": \($0.index), \"score\": \(json($0.score))"
            + (corpusText($0.index).map { ", \"text\": " + jsonString($0) } ?? "") + "}"
        }
        text += "{\"query\": \(q), " + (queryTexts.map { "\"query_text\": \(jsonString($0[q])), " } ?? "")
        text += "\"results\": [" + items.joined(separator: ", ") + "]}\n"
        flush(&text)
      }
    case .tsv:
      text += "query\trank\tcorpus_id\tscore" + (texts == nil ? "" : "\ttext") + "\n"
      for q in 0..<r.queryCount {
        for (j, h) in r.hits(forQuery: q).enumerated() {
          text += "\(q)\t\(j + 1)\t\(h.index)\t\(format(h.score))"
          text += corpusText(h.index).map { "\t" + oneLine($0) } ?? ""
          text += "\n"
        }
        flush(&text)
      }
    }
    flush(&text, force: true)
    if missing > 0, let texts {
      Notes.add("\(missing) hits have ids beyond the \(texts.count) lines of --texts: their text is left empty")
    }
  }

  /// `s` on one line: tabs, newlines and other controls as spaces.
  static func oneLine(_ s: String) -> String {
    String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
  }

  /// `s` as a JSON string literal.
  static func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
      }
    }
    return out + "\""
  }

  /// A JSON number; NaN as `NaN`, which Python's json module reads.
  static func json<T: TensorScalar>(_ v: T) -> String {
    v.isNaN ? "NaN" : format(v)
  }

  private static func flush(_ text: inout String, force: Bool = false) {
    guard force || text.utf8.count > 1 << 16 else { return }
    Swift.print(text, terminator: "")
    text = ""
  }
}

extension ComputeType {
  /// The compute type of a `.npy` file whose scalar type is `float16`, `float32` or `float64`.
  init(numpyName: String) {
    switch numpyName {
    case "float16": self = .float16
    case "float32": self = .float32
    default: self = .float64
    }
  }
}
