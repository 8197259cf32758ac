import ArgumentParser
import CosineKit

extension LossCommand {
  /// `cosine loss` with a batch kind: loads the inputs, evaluates, writes value and gradients.
  func runBatch(_ batch: BatchLossKind) throws {
    let policy = InputPolicy(allowNonfinite: output.allowNonfinite)
    let a = try policy.load(yTrue, as: "first input")
    let b = try policy.load(yPred, as: "second input")
    let n = try batchOptions.negatives.map { try policy.load($0, as: "negatives") }
    let t = try target.map { try policy.load($0, as: "target") }
    let loss = try batch.makeLoss(batchOptions, margin: margin, reduction: reduction ?? .mean)
    var type = max(ComputeType(a), ComputeType(b))
    if let n { type = max(type, ComputeType(n)) }
    try naming([yTrue, yPred, batchOptions.negatives, target]) {
      try type.dispatch(BatchJob(command: self, loss: loss, a: a, b: b, negatives: n, target: t))
    }
  }

  struct BatchJob: TypedJob {
    let command: LossCommand
    let loss: any BatchCosineLoss
    let a: AnyTensor, b: AnyTensor, negatives: AnyTensor?, target: AnyTensor?

    func run<T: TensorScalar>(_: T.Type) throws {
      let (value, pullback) = try loss.valueWithPullback(
        a.converted(to: T.self), b.converted(to: T.self), negatives: negatives.map { $0.converted(to: T.self) },
        target: target.map { $0.converted(to: T.self) })
      var out = Outputs()
      out.add(AnyTensor(value), to: command.output.output)
      if command.gradients.wanted || command.grad3 != nil {
        let g = try pullback(try Tensor<T>(shape: value.shape, repeating: 1))
        out.add(AnyTensor(g.first), to: command.gradients.grad1)
        out.add(AnyTensor(g.second), to: command.gradients.grad2)
        if let gn = g.negatives { out.add(AnyTensor(gn), to: command.grad3) }
      }
      try out.commit()
      if command.output.output == nil { printTensor(value) }
    }
  }
}
