import CosineKit

/// Checks, before anything is allocated, that training towers of the given layer sizes fits in
/// memory: parameters, their gradients and Adam's two moments (4 floats per parameter) for each
/// tower, plus one batch of activations per layer, all counted with overflow checks.
///
/// - Parameters:
///   - layers: The `--layers` text, for the message.
///   - sizes: Layer sizes after the input.
///   - inputs: The input width of each tower (1 when not known yet).
///   - batch: Rows per step.
/// - Throws: ``CLIError`` naming `--layers`, the parameter count and the bytes needed.
func checkTowerSize(layers: String, sizes: [Int], inputs: [Int], batch: Int) throws {
  func tooBig(_ detail: String) -> CLIError {
    CLIError(
      "--layers \(layers): \(detail), more than the "
        + "\(MemoryBudget.describe(bytes: MemoryBudget.availableBytes)) of memory available")
  }
  let overflow = CLIError("--layers \(layers): the towers would need more bytes than fit in a 64-bit size")
  var total = 0
  var parameters = 0
  for input in inputs {
    var width = input
    var acts = batch
    for s in sizes {
      let (w, o1) = width.multipliedReportingOverflow(by: s)
      let (p, o2) = w.addingReportingOverflow(s)
      let (sum, o3) = parameters.addingReportingOverflow(p)
      let (a, o4) = acts.addingReportingOverflow(s.multipliedReportingOverflow(by: batch).partialValue)
      let o5 = s.multipliedReportingOverflow(by: batch).overflow
      guard !(o1 || o2 || o3 || o4 || o5) else { throw overflow }
      parameters = sum
      acts = a
      width = s
    }
    let (floats, o6) = parameters.multipliedReportingOverflow(by: 4)
    let (all, o7) = floats.addingReportingOverflow(3 * acts)
    let (bytes, o8) = all.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
    guard !(o6 || o7 || o8) else { throw overflow }
    total = bytes
  }
  if total > MemoryBudget.availableBytes {
    throw tooBig("towers of \(parameters) parameters need \(MemoryBudget.describe(bytes: total)) to train")
  }
}
