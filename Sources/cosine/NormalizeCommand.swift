import ArgumentParser
import CosineKit

struct NormalizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "normalize",
    abstract: "L2-normalize an array along an axis: x / max(‖x‖, eps)."
  )

  @Argument(help: ArgumentHelp("Input.", valueName: "X.npy")) var x: String
  @Option(parsing: .unconditional, help: "Axis along which vectors are normalized.") var axis = -1
  @Option(parsing: .unconditional, help: "Floor of the norm (>= 0).") var eps = 1e-12
  @OptionGroup var output: OutputOptions

  func validate() throws { try validateEps(eps) }

  func run() throws {
    try OutputPlan.declare(["-o": output.output], inputs: [x])
    let input = try InputPolicy(allowNonfinite: output.allowNonfinite).load(x, as: "X")
    try naming([x]) { try ComputeType(input).dispatch(Job(command: self, input: input)) }
  }

  struct Job: TypedJob {
    let command: NormalizeCommand
    let input: AnyTensor

    func run<T: TensorScalar>(_: T.Type) throws {
      let y = try l2Normalize(input.converted(to: T.self), axis: command.axis, eps: command.eps)
      var out = Outputs()
      out.add(AnyTensor(y), to: command.output.output)
      try out.commit()
      if command.output.output == nil { printTensor(y) }
    }
  }
}
