import ArgumentParser
import CosineKit

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Top-k cosine search of query rows in a corpus.",
    discussion: "Per query, the min(K, N) best corpus rows by descending score; ties: lower index first."
  )

  @Option(help: ArgumentHelp("Corpus rows [N, D].", valueName: "C.npy")) var corpus: String
  @Option(help: ArgumentHelp("Query rows [Q, D].", valueName: "Q.npy")) var queries: String
  @Option(name: .customLong("top-k"), parsing: .unconditional, help: "Results per query (>= 1).") var topK = 10
  @Option(help: ArgumentHelp("Write the corpus indices [Q, min(K, N)] as int64.", valueName: "I.npy")) var indices: String?
  @Option(help: ArgumentHelp("Write the scores [Q, min(K, N)].", valueName: "S.npy")) var scores: String?
  @Flag(help: "Accept inputs containing NaN or infinity.") var allowNonfinite = false

  func validate() throws {
    guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
  }

  func run() throws {
    let policy = InputPolicy(allowNonfinite: allowNonfinite)
    let c = try policy.load(corpus, as: "corpus"), q = try policy.load(queries, as: "queries")
    try naming([queries, corpus]) { try max(ComputeType(c), ComputeType(q)).dispatch(Job(command: self, corpus: c, queries: q)) }
  }

  struct Job: TypedJob {
    let command: SearchCommand
    let corpus: AnyTensor, queries: AnyTensor

    func run<T: TensorScalar>(_: T.Type) throws {
      let r = try topKSearch(queries: queries.converted(to: T.self), corpus: corpus.converted(to: T.self), k: command.topK)
      var out = Outputs()
      out.add(AnyTensor(r.scores), to: command.scores)
      out.addIndices(r.indices, to: command.indices)
      try out.commit()
      if command.indices == nil && command.scores == nil {
        let k = r.scores.shape[1]
        for q in 0..<r.scores.shape[0] {
          print("query \(q):")
          for j in 0..<k {
            print("  \(j + 1)\tcorpus \(Int(r.indices.scalars[q * k + j]))\tscore \(format(r.scores.scalars[q * k + j]))")
          }
        }
      }
    }
  }
}
