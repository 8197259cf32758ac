import ArgumentParser
import CosineCore
import CosineKit
import Foundation

/// `cosine index build|info|add|remove|compact`: index files for `cosine search --index`.
struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Build, inspect and update index files (memory-mapped, with ids) for cosine search --index.",
    subcommands: [Build.self, Info.self, Add.self, Remove.self, Compact.self, Tune.self]
  )

  /// Rejects NaN and infinity in a piece of rows unless allowed.
  static func finiteCheck(_ allow: Bool) -> (String, Int, UnsafeBufferPointer<Float>) throws -> Void {
    { path, first, piece in
      guard !allow, let i = piece.firstIndex(where: { !$0.isFinite }) else { return }
      throw CLIError(
        "\(path): corpus contains \(piece[i]) at flat index \(first + i) (pass --allow-nonfinite to accept NaN and infinity)"
      )
    }
  }

  /// The ids in `path`, which must number `count` (when given).
  static func ids(_ path: String?, count: Int? = nil) throws -> [Int]? {
    guard let path else { return nil }
    let ids = try NPY.readIDs(contentsOf: path)
    if let count, ids.count != count {
      throw CLIError("\(path): \(ids.count) ids for \(count) rows")
    }
    try naming([path]) { try CosineIndexFile.checkDistinct(ids) }
    return ids
  }

  /// Writes `index` to `path` (appended in place where the format allows, else atomically),
  /// through the command's outputs so an error names the option.
  static func save(_ index: CosineIndexFile, to path: String) throws {
    var out = Outputs()
    out.addFile(path) { try index.save(to: $0) }
    try out.commit()
  }

  static func open(_ path: String) throws -> CosineIndexFile {
    try CosineIndexFile(mapping: path)
  }

  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Build an index file from .npy corpus files (shards of one corpus, in order).",
      discussion: """
        Rows are normalized once and stored packed, so cosine search --index maps the file \
        instead of reading and packing the corpus. --quantize int8 stores int8 codes beside the \
        rows: searches of up to 8 queries scan them first and rescore exactly (identical \
        results). --quantize binary stores sign bits for the approximate search --rescore M.

        --ivf NLIST builds an inverted-file index: NLIST centroids trained by spherical k-means \
        (10 rounds, as FAISS's IVF) on a seeded sample of 256 rows per list (--train-sample), \
        each row stored in the list of its best centroid. cosine search --index --nprobe P then \
        scores only the rows of each query's P best lists, exactly; cosine index tune shows \
        the recall of each P.
        """)

    @Argument(help: ArgumentHelp("Corpus rows [N, D]; several files are concatenated.", valueName: "CORPUS.npy"))
    var corpus: [String]
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The index file to write.", valueName: "INDEX"))
    var output: String
    @Option(help: ArgumentHelp("One int64 id per row (default: row numbers).", valueName: "IDS.npy")) var ids: String?
    @Option(help: "Codes stored beside the rows: int8 (exact first pass) or binary (approximate).")
    var quantize = CosineIndexQuantization.none
    @Flag(help: "Accept corpora containing NaN or infinity.") var allowNonfinite = false
    @Option(help: ArgumentHelp("Build an inverted-file index of NLIST lists.", valueName: "NLIST")) var ivf: Int?
    @Option(
      help: ArgumentHelp(
        "With --ivf: rows k-means trains on (default 256 per list; 0: every row).", valueName: "N"))
    var trainSample: Int?
    @Option(help: ArgumentHelp("With --ivf: seed of the training sample and k-means++.", valueName: "S"))
    var seed: UInt64?

    func validate() throws {
      if ivf == nil, trainSample != nil || seed != nil {
        throw ValidationError("--train-sample and --seed need --ivf NLIST")
      }
      if let ivf, ivf < 1 { throw ValidationError("--ivf must be at least 1, got \(ivf)") }
      if let trainSample, trainSample < 0 {
        throw ValidationError("--train-sample must be >= 0 (0: every row), got \(trainSample)")
      }
      if ivf != nil && quantize == .binary {
        throw ValidationError("--ivf stores no binary codes: use --quantize none or int8")
      }
    }

    func run() throws {
      try OutputPlan.declare(["-o": output], inputs: corpus + [ids].compactMap { $0 })
      let rows = try corpus.reduce(0) { n, p in
        let (s, _) = try NPY.describe(contentsOf: p)
        return n + (s.count == 2 ? s[0] : 1)
      }
      let ids = try IndexCommand.ids(ids, count: rows)
      if let ivf, ivf > rows {
        throw CLIError("\(corpus.joined(separator: ", ")): --ivf \(ivf) lists need at least \(ivf) rows, got \(rows)")
      }
      if ivf != nil && allowNonfinite {
        throw CLIError("--ivf needs finite rows (k-means): --allow-nonfinite is for flat indexes")
      }
      let index = try naming(corpus) {
        if let ivf {
          return try CosineIndexFile(
            contentsOf: corpus, ids: ids, quantization: quantize,
            invertedFile: InvertedFileOptions(lists: ivf, trainingSampleSize: trainSample, seed: seed ?? 0),
            inspecting: IndexCommand.finiteCheck(false))
        }
        return try CosineIndexFile(
          contentsOf: corpus, ids: ids, quantization: quantize,
          inspecting: IndexCommand.finiteCheck(allowNonfinite))
      }
      try IndexCommand.save(index, to: output)
      let lists = index.listCount.map { ", \($0) lists" } ?? ""
      print("\(output): \(index.count) rows of \(index.dimension)\(lists), quantization \(index.quantization.rawValue)")
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe an index file.")
    @Argument(help: ArgumentHelp("The index file.", valueName: "INDEX")) var index: String

    func run() throws {
      let x = try IndexCommand.open(index)
      let ids = x.ids
      print("file: \(index)")
      print("format: CosineKit index, version \(x.listCount == nil ? 1 : 2)")
      print("rows: \(x.count)")
      print("removed: \(x.removedCount) (stored until compaction)")
      print("dimension: \(x.dimension)")
      print("quantization: \(x.quantization.rawValue)")
      print("segments: \(x.segmentCount)")
      print("eps: \(x.eps)")
      print("ids: " + (ids.isEmpty ? "none" : "\(ids.first!) ... \(ids.last!)"))
      print("bytes: \(x.byteCount)")
      if let nlist = x.listCount {
        let sizes = x.listSizes.sorted()
        let mean = Double(x.count) / Double(nlist)
        // FAISS's imbalance factor: nlist · Σ size² / N² (1 when every list holds N / nlist rows).
        let imbalance =
          x.count == 0
          ? 1
          : Double(nlist) * sizes.reduce(0.0) { $0 + Double($1) * Double($1) }
            / (Double(x.count) * Double(x.count))
        print("lists: \(nlist) (inverted file)")
        print(
          "list sizes: min \(sizes.first!), median \(sizes[sizes.count / 2]), max \(sizes.last!), mean \(String(format: "%.1f", mean)), empty \(sizes.filter { $0 == 0 }.count)"
        )
        print("imbalance factor: \(String(format: "%.3f", imbalance))")
      }
    }
  }

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add rows to an index file (appended in place; duplicate ids are an error).")
    @Argument(help: ArgumentHelp("The index file.", valueName: "INDEX")) var index: String
    @Argument(help: ArgumentHelp("Rows [M, D] to add.", valueName: "ROWS.npy")) var rows: String
    @Option(help: ArgumentHelp("One int64 id per row (default: after the largest id).", valueName: "IDS.npy"))
    var ids: String?
    @Flag(help: "Accept rows containing NaN or infinity.") var allowNonfinite = false

    func run() throws {
      var x = try IndexCommand.open(index)
      let t = try InputPolicy(allowNonfinite: allowNonfinite).load(rows, as: "rows").converted(to: Float.self)
      let m = t.rank == 2 ? t.shape[0] : 1
      guard t.rank <= 2, t.shape.last == x.dimension else {
        throw CLIError(
          "\(rows): rows of shape \(Shape.describe(t.shape)) do not match the index's dimension \(x.dimension)")
      }
      let ids = try IndexCommand.ids(ids, count: m)
      try naming([index, rows]) { try x.add(t, ids: ids) }
      try IndexCommand.save(x, to: index)
      print("\(index): added \(m) rows, \(x.count) rows")
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove rows by id (tombstones; compacted once a quarter of the stored rows are removed).")
    @Argument(help: ArgumentHelp("The index file.", valueName: "INDEX")) var index: String
    @Option(help: ArgumentHelp("The ids to remove.", valueName: "IDS.npy")) var ids: String

    func run() throws {
      var x = try IndexCommand.open(index)
      let list = try IndexCommand.ids(ids)!
      let removed = x.remove(ids: list)
      if x.removedCount * 4 > x.count + x.removedCount { x.compact() }
      try IndexCommand.save(x, to: index)
      print("\(index): removed \(removed) of \(list.count) ids, \(x.count) rows")
    }
  }

  struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure recall@k and queries per second of an inverted-file index for a range of --nprobe.",
      discussion: """
        Runs the exact search (every list) on the queries, then the search with nprobe = 1, 2, \
        4, … NLIST, and prints recall@k (the fraction of the exact top k found) and queries per \
        second for each, on all cores: "batch" searching all the sampled queries at once, \
        "single" up to 100 of them one at a time. Recommends the smallest nprobe whose recall \
        reaches --target-recall. Use real queries: recall depends on where queries fall.
        """)
    @Argument(help: ArgumentHelp("The inverted-file index.", valueName: "INDEX")) var index: String
    @Option(help: ArgumentHelp("Sample queries [Q, D].", valueName: "Q.npy")) var queries: String
    @Option(name: [.customShort("k"), .customLong("top-k")], help: "Results per query (>= 1).") var topK = 10
    @Option(help: "The recall@k to reach (0 < R <= 1).") var targetRecall = 0.95
    @Option(help: ArgumentHelp("Queries to use at most (a seeded sample of Q.npy).", valueName: "N"))
    var sample = 1000
    @Option(
      help: ArgumentHelp("The nprobe values to try, comma-separated (default 1, 2, 4, … NLIST).", valueName: "P,P,…"))
    var nprobes: String?

    func validate() throws {
      guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
      guard targetRecall > 0, targetRecall <= 1 else {
        throw ValidationError("--target-recall must be in (0, 1], got \(targetRecall)")
      }
      guard sample >= 1 else { throw ValidationError("--sample must be at least 1, got \(sample)") }
      if let nprobes {
        for p in nprobes.split(separator: ",") where Int(p).map({ $0 < 1 }) ?? true {
          throw ValidationError("--nprobes takes positive integers separated by commas, got '\(p)'")
        }
      }
    }

    func run() throws {
      let x = try IndexCommand.open(index)
      guard let nlist = x.listCount else {
        throw CLIError("\(index): not an inverted-file index (build it with cosine index build --ivf NLIST)")
      }
      var q = try InputPolicy(allowNonfinite: false).load(queries, as: "queries").converted(to: Float.self)
      if q.rank == 1 { q = q.reshaped([1, q.count]) }
      guard q.rank == 2, q.shape[1] == x.dimension else {
        throw CLIError(
          "\(queries), \(index): queries of shape \(Shape.describe(q.shape)) do not match the index's dimension \(x.dimension)"
        )
      }
      if q.shape[0] > sample {
        var rng = SplitMix64(seed: 0)
        q = q.gatheringRows(rng.sortedSample(sample, of: q.shape[0]))
      }
      let values = nprobes.map { $0.split(separator: ",").compactMap { Int($0) } }
      let points = try naming([queries, index]) { try x.tune(queries: q, k: topK, nprobes: values) }
      print("\(index): \(x.count) rows in \(nlist) lists; \(q.shape[0]) queries, recall@\(topK) against every list")
      print("nprobe\trecall@\(topK)\tbatch q/s\tsingle q/s\tlists scanned")
      for p in points {
        let scanned = String(format: "%.1f%%", 100 * min(1, Double(p.nprobe) / Double(nlist)))
        print(
          "\(p.nprobe)\t\(String(format: "%.4f", p.recall))\t\(String(format: "%.0f", p.queriesPerSecond))\t"
            + "\(String(format: "%.0f", p.singleQueriesPerSecond))\t\(scanned)")
      }
      if let best = points.first(where: { $0.recall >= targetRecall }) {
        print(
          "recommended: --nprobe \(best.nprobe) (recall@\(topK) \(String(format: "%.4f", best.recall)) >= \(targetRecall))"
        )
      } else {
        print("no nprobe reaches recall \(targetRecall)")
      }
    }
  }

  struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Rewrite an index file without its removed rows, as one segment (one per list for --ivf).")
    @Argument(help: ArgumentHelp("The index file.", valueName: "INDEX")) var index: String

    func run() throws {
      var x = try IndexCommand.open(index)
      x.compact()
      try IndexCommand.save(x, to: index)
      print("\(index): \(x.count) rows in \(x.listCount == nil ? "one segment" : "one segment per list")")
    }
  }
}
