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
    try checkShapes(batch, a, b, negatives: n, target: t)
    let loss = try batch.makeLoss(batchOptions, margin: margin, reduction: reduction ?? .mean)
    var type = max(ComputeType(a), ComputeType(b))
    if let n { type = max(type, ComputeType(n)) }
    try naming([yTrue, yPred, batchOptions.negatives, target]) {
      try type.dispatch(BatchJob(command: self, loss: loss, a: a, b: b, negatives: n, target: t))
    }
  }

  /// Shape and label checks that name the argument at fault.
  func checkShapes(
    _ batch: BatchLossKind, _ a: AnyTensor, _ b: AnyTensor, negatives n: AnyTensor?, target t: AnyTensor?
  )
    throws
  {
    let sa = a.shape
    let sb = b.shape
    guard sa.count == 2 else {
      throw CLIError("\(yTrue): first input must be a matrix [B, D] (one row per example), got \(Shape.describe(sa))")
    }
    guard sb == sa else {
      throw CLIError(
        "\(yPred): second input must have the first input's shape \(Shape.describe(sa)), got \(Shape.describe(sb))")
    }
    let (rows, dim) = (sa[0], sa[1])
    if let n, let path = batchOptions.negatives {
      do { _ = try batch.negativeBlocks(shape: n.shape, batch: rows, dim: dim) } catch let e as CosineError {
        throw CLIError("--negatives \(path): \(e) (row i of block k is anchor i's k-th negative)")
      }
    }
    if let t, let path = target {
      guard t.shape.reduce(1, *) == rows, t.shape.count <= 2, t.shape.first == rows || (t.shape.isEmpty && rows == 1)
      else {
        throw CLIError("--target \(path): must hold one label per pair ([\(rows)]), got \(Shape.describe(t.shape))")
      }
      do { try batch.checkLabels(t.converted(to: Double.self).scalars) } catch let e as CosineError {
        throw CLIError("--target \(path): \(e)")
      }
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
