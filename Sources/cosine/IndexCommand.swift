import ArgumentParser
import CosineKit

/// `cosine index build|info|add|remove|compact`: index files for `cosine search --index`.
struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Build, inspect and update index files (memory-mapped, with ids) for cosine search --index.",
    subcommands: [Build.self, Info.self, Add.self, Remove.self, Compact.self]
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
        """)

    @Argument(help: ArgumentHelp("Corpus rows [N, D]; several files are concatenated.", valueName: "CORPUS.npy"))
    var corpus: [String]
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The index file to write.", valueName: "INDEX"))
    var output: String
    @Option(help: ArgumentHelp("One int64 id per row (default: row numbers).", valueName: "IDS.npy")) var ids: String?
    @Option(help: "Codes stored beside the rows: int8 (exact first pass) or binary (approximate).")
    var quantize = CosineIndexQuantization.none
    @Flag(help: "Accept corpora containing NaN or infinity.") var allowNonfinite = false

    func run() throws {
      try OutputPlan.declare(["-o": output], inputs: corpus + [ids].compactMap { $0 })
      let rows = try corpus.reduce(0) { n, p in
        let (s, _) = try NPY.describe(contentsOf: p)
        return n + (s.count == 2 ? s[0] : 1)
      }
      let ids = try IndexCommand.ids(ids, count: rows)
      let index = try naming(corpus) {
        try CosineIndexFile(
          contentsOf: corpus, ids: ids, quantization: quantize,
          inspecting: IndexCommand.finiteCheck(allowNonfinite))
      }
      try IndexCommand.save(index, to: output)
      print("\(output): \(index.count) rows of \(index.dimension), quantization \(index.quantization.rawValue)")
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe an index file.")
    @Argument(help: ArgumentHelp("The index file.", valueName: "INDEX")) var index: String

    func run() throws {
      let x = try IndexCommand.open(index)
      let ids = x.ids
      print("file: \(index)")
      print("format: CosineKit index, version 1")
      print("rows: \(x.count)")
      print("removed: \(x.removedCount) (stored until compaction)")
      print("dimension: \(x.dimension)")
      print("quantization: \(x.quantization.rawValue)")
      print("segments: \(x.segmentCount)")
      print("eps: \(x.eps)")
      print("ids: " + (ids.isEmpty ? "none" : "\(ids.first!) ... \(ids.last!)"))
      print("bytes: \(x.byteCount)")
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
      let removed = try x.remove(ids: list)
      if x.removedCount * 4 > x.count + x.removedCount { x.compact() }
      try IndexCommand.save(x, to: index)
      print("\(index): removed \(removed) of \(list.count) ids, \(x.count) rows")
    }
  }

  struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Rewrite an index file without its removed rows, as one segment.")
    @Argument(help: ArgumentHelp("The index file.", valueName: "INDEX")) var index: String

    func run() throws {
      var x = try IndexCommand.open(index)
      x.compact()
      try IndexCommand.save(x, to: index)
      print("\(index): \(x.count) rows in one segment")
    }
  }
}
