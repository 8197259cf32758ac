import ArgumentParser
import CosineKit

struct SimilarityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "similarity",
    abstract: "Cosine similarity of two arrays along an axis (PyTorch semantics, broadcasting).",
    discussion: "x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)), the axis dropped from the result."
  )

  @Argument(help: ArgumentHelp("First input.", valueName: "X1.npy")) var x1: String
  @Argument(help: ArgumentHelp("Second input, broadcastable with the first.", valueName: "X2.npy")) var x2: String
  @Option(parsing: .unconditional, help: "Axis to reduce; negative counts from the end.") var axis = -1
  @Option(parsing: .unconditional, help: "Floor of each norm (>= 0).") var eps = 1e-8
  @OptionGroup var output: OutputOptions
  @OptionGroup var gradients: GradientOptions

  func validate() throws { try validateEps(eps) }

  func run() throws {
    try OutputPlan.declare(
      ["-o": output.output, "--grad1": gradients.grad1, "--grad2": gradients.grad2], inputs: [x1, x2])
    let policy = InputPolicy(allowNonfinite: output.allowNonfinite)
    let a = try policy.load(x1, as: "X1")
    let b = try policy.load(x2, as: "X2")
    try naming([x1, x2]) { try max(ComputeType(a), ComputeType(b)).dispatch(Job(command: self, a: a, b: b)) }
  }

  struct Job: TypedJob {
    let command: SimilarityCommand
    let a: AnyTensor, b: AnyTensor

    func run<T: TensorScalar>(_: T.Type) throws {
      let x1 = a.converted(to: T.self)
      let x2 = b.converted(to: T.self)
      let (value, pullback) = try cosineSimilarityWithPullback(x1, x2, axis: command.axis, eps: command.eps)
      try emit(value, pullback: pullback, output: command.output, gradients: command.gradients)
    }
  }
}
