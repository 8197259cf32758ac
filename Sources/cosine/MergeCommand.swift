import ArgumentParser
import CosineKit

/// `cosine merge`: the top k of several shards' partial results (`cosine search --partial`).
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge the partial results of searches of a corpus's shards into its top k.",
    discussion: """
      Each PART.npz holds 'ids' (int64) and 'scores' [Q, k] of one shard, as cosine search \
      --partial writes them (or np.savez). Per query the K best of the union, higher score \
      first, ties by lower id: with every shard searched with --top-k >= K, the same as \
      searching the whole corpus.
      """)

  @Argument(help: ArgumentHelp("Partial results of the shards.", valueName: "PART.npz")) var parts: [String]
  @Option(name: [.customShort("k"), .customLong("top-k")], parsing: .unconditional, help: "Results per query (>= 1).")
  var topK: Int
  @Option(help: ArgumentHelp("Write the ids [Q, min(K, Σk)] as int64.", valueName: "I.npy")) var indices: String?
  @Option(help: ArgumentHelp("Write the scores [Q, min(K, Σk)].", valueName: "S.npy")) var scores: String?
  @Option(help: "Standard output: table, json or tsv (as cosine search).") var format: SearchCommand.Format?

  func validate() throws {
    guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
    guard !parts.isEmpty else { throw ValidationError("at least one PART.npz is needed") }
  }

  func run() throws {
    try OutputPlan.declare(["--indices": indices, "--scores": scores], inputs: parts)
    var loaded: [CosineSearchResults<Double>] = []
    var double = false
    for p in parts {
      let (r, type) = try CosineSearchResults<Double>.readPartial(contentsOf: p)
      if let first = loaded.first, first.queryCount != r.queryCount {
        throw CLIError("\(p): results for \(r.queryCount) queries, but \(parts[0]) has \(first.queryCount)")
      }
      double = double || type == "float64"
      loaded.append(r)
    }
    let r = try CosineSearchResults.merging(loaded, rowOffsets: [Int](repeating: 0, count: loaded.count), k: topK)
    var out = Outputs()
    let shape = [r.queryCount, r.k]
    if double {
      out.add(AnyTensor(r.scoreTensor), to: scores)
    } else {
      out.add(AnyTensor(try Tensor<Float>(shape: shape, scalars: r.scores.map { Float($0) })), to: scores)
    }
    out.addInt64(r.indices, shape: shape, to: indices)
    try out.commit()
    if format != nil || (indices == nil && scores == nil) {
      if double {
        SearchOutput.print(r, style: format ?? .table)
      } else {
        SearchOutput.print(
          try CosineSearchResults(
            queryCount: r.queryCount, k: r.k, indices: r.indices, scores: r.scores.map { Float($0) }),
          style: format ?? .table)
      }
    }
  }
}
