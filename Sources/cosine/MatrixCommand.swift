import ArgumentParser
import CosineKit

struct MatrixCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "matrix",
    abstract: "All-pairs cosine similarity of the rows of A [M, D] and B [N, D]: an [M, N] matrix."
  )

  @Argument(help: ArgumentHelp("Rows [M, D].", valueName: "A.npy")) var a: String
  @Argument(help: ArgumentHelp("Rows [N, D].", valueName: "B.npy")) var b: String
  @Option(parsing: .unconditional, help: "Floor of each norm (>= 0).") var eps = 1e-8
  @OptionGroup var output: OutputOptions

  func validate() throws { try validateEps(eps) }

  func run() throws {
    try OutputPlan.declare(["-o": output.output], inputs: [a, b])
    let policy = InputPolicy(allowNonfinite: output.allowNonfinite)
    let x = try policy.load(a, as: "A")
    let y = try policy.load(b, as: "B")
    try naming([a, b]) { try max(ComputeType(x), ComputeType(y)).dispatch(Job(command: self, a: x, b: y)) }
  }

  struct Job: TypedJob {
    let command: MatrixCommand
    let a: AnyTensor, b: AnyTensor

    func run<T: TensorScalar>(_: T.Type) throws {
      let m = try cosineSimilarityMatrix(a.converted(to: T.self), b.converted(to: T.self), eps: command.eps)
      var out = Outputs()
      out.add(AnyTensor(m), to: command.output.output)
      try out.commit()
      if command.output.output == nil { printTensor(m) }
    }
  }
}
