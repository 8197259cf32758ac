import ArgumentParser
import CosineKit

/// `cosine evaluate`: retrieval metrics of searching a corpus with queries (recall@k, MRR@10,
/// nDCG@10 as sentence-transformers' `InformationRetrievalEvaluator` reports them).
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Retrieval metrics (recall@1/5/10, MRR@10, nDCG@10) of searching a corpus with queries.",
    discussion: """
      Each query row retrieves corpus rows by exact cosine search. Without --relevant, the relevant \
      corpus row of query i is row i. --relevant is an .npy of integers: a vector [Q] (one relevant \
      row per query) or a matrix [Q, m] (up to m relevant rows per query; negative entries are \
      padding). Queries without a relevant row are left out, as InformationRetrievalEvaluator does. \
      With --model, queries go through the left tower and corpus rows through the right tower first \
      (names from --left-tower/--right-tower; by default 'left' and 'right', or the one shared tower).
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

  @Option(help: ArgumentHelp("Query rows, an .npy matrix [Q, d].", valueName: "Q.npy"))
  var queries: String

  @Option(help: ArgumentHelp("Corpus rows, an .npy matrix [N, d].", valueName: "C.npy"))
  var corpus: String

  @Option(help: ArgumentHelp("Relevant corpus rows per query: integers [Q] or [Q, m].", valueName: "R.npy"))
  var relevant: String?

  @Option(help: ArgumentHelp("A model file whose towers embed queries and corpus first.", valueName: "M.json"))
  var model: String?

  @Option(name: .customLong("left-tower"), help: "The tower applied to queries (with --model).")
  var leftTower: String?

  @Option(name: .customLong("right-tower"), help: "The tower applied to corpus rows (with --model).")
  var rightTower: String?

  @Option(help: ArgumentHelp("Output: table or json.", valueName: "format"))
  var format: Format = .table

  func validate() throws {
    if model == nil && (leftTower != nil || rightTower != nil) {
      throw ValidationError("--left-tower and --right-tower need --model")
    }
  }

  func run() throws {
    do {
      var q = try readMatrix(queries, what: "queries")
      var c = try readMatrix(corpus, what: "corpus rows")
      if let model {
        let file = try ModelFile<Float>(contentsOf: model)
        let (left, leftName) = try tower(file, named: leftTower, defaults: ["left", "tower"], file: model)
        let (right, rightName) = try tower(file, named: rightTower, defaults: ["right", "tower"], file: model)
        q = try apply(left, leftName, to: q, path: queries)
        c = try apply(right, rightName, to: c, path: corpus)
      }
      guard q.shape[1] == c.shape[1] else {
        throw CosineError.invalidArgument(
          "\(queries) has rows of \(q.shape[1]) values but \(corpus) has rows of \(c.shape[1])")
      }
      let sets = try relevant.map { try readRelevant($0, queries: q.shape[0], corpusRows: c.shape[0]) }
      if sets == nil && q.shape[0] > c.shape[0] {
        throw CosineError.invalidArgument(
          "\(queries) has \(q.shape[0]) queries but \(corpus) only \(c.shape[0]) rows; "
            + "without --relevant query i retrieves corpus row i")
      }
      let m = try RetrievalMetrics(queries: q, index: CosineIndex(c), relevant: sets)
      print(Self.render(m, style: format))
    } catch let e as CLIError {
      throw e
    } catch {
      throw fail("evaluate", describe(error))
    }
  }

  /// The metrics as a table or one JSON object (keys as sentence-transformers names them).
  static func render(_ m: RetrievalMetrics, style: Format) -> String {
    let rows: [(String, Double)] =
      RetrievalMetrics.standardRecallCutoffs.map { ("recall@\($0)", m.recall[$0]!) }
      + RetrievalMetrics.standardRankCutoffs.map { ("mrr@\($0)", m.mrr[$0]!) }
      + RetrievalMetrics.standardRankCutoffs.map { ("ndcg@\($0)", m.ndcg[$0]!) }
      + RetrievalMetrics.standardRecallCutoffs.map { ("accuracy@\($0)", m.accuracy[$0]!) }
    switch style {
    case .table:
      return (["queries     \(m.queryCount)"] + rows.map { $0.0.padding(12) + fourDecimals($0.1) })
        .joined(separator: "\n")
    case .json:
      return "{\"queries\": \(m.queryCount), "
        + rows.map { "\"\($0.0)\": \(String(describing: $0.1))" }.joined(separator: ", ") + "}"
    }
  }

  private func tower(
    _ file: ModelFile<Float>, named name: String?, defaults: [String], file path: String
  ) throws -> (Sequential<Float>, String) {
    let names = file.entries.map { "'\($0.name)'" }.joined(separator: ", ")
    if let name {
      guard let t = file[name] else {
        throw CosineError.invalidArgument("\(path): no tower named '\(name)' (the file has \(names))")
      }
      return (t, name)
    }
    for d in defaults { if let t = file[d] { return (t, d) } }
    guard file.entries.count == 1, let only = file.entries.first else {
      throw CosineError.invalidArgument(
        "\(path): name the towers with --left-tower and --right-tower (the file has \(names))")
    }
    return (only.model, only.name)
  }

  private func apply(_ t: Sequential<Float>, _ name: String, to x: Tensor<Float>, path: String) throws -> Tensor<Float>
  {
    if let first = t.layers.first(where: { $0 is Dense<Float> }) as? Dense<Float>, first.inputSize != x.shape[1] {
      throw CosineError.invalidArgument(
        "\(path): rows have \(x.shape[1]) values but the tower '\(name)' takes \(first.inputSize)")
    }
    return try t(x)
  }

  /// Relevant rows per query from an integer vector [Q] or matrix [Q, m] (negatives: padding).
  private func readRelevant(_ path: String, queries: Int, corpusRows: Int) throws -> [[Int]] {
    let t = try NPY.read(contentsOf: path).converted(to: Double.self)
    guard t.rank == 1 || t.rank == 2, t.shape[0] == queries else {
      throw CosineError.invalidArgument(
        "\(path): relevant rows must be [\(queries)] or [\(queries), m] (one row per query), "
          + "got \(Shape.describe(t.shape))")
    }
    let m = t.rank == 1 ? 1 : t.shape[1]
    var sets = [[Int]](repeating: [], count: queries)
    for i in 0..<queries {
      for j in 0..<m {
        let v = t.scalars[i * m + j]
        guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else {
          throw CosineError.invalidArgument("\(path): entry \(i * m + j) (\(v)) is not an integer")
        }
        if v < 0 { continue }
        guard Int(v) < corpusRows else {
          throw CosineError.invalidArgument(
            "\(path): query \(i) names corpus row \(Int(v)), but the corpus has \(corpusRows) rows")
        }
        sets[i].append(Int(v))
      }
    }
    return sets
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}

/// `x` with four decimals.
private func fourDecimals(_ x: Double) -> String { format(x, 4) }
