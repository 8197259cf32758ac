import CosineKit

/// `t` as Float, refusing values that are NaN or infinite in the file and finite values beyond
/// Float's range (which would become infinite), naming the file and the element.
///
/// - Parameters:
///   - t: The array as read.
///   - path: Its file, for messages.
///   - position: Describes a flat index, e.g. "row 3, column 1".
/// - Throws: ``CLIError`` "PATH: value V at POSITION is not finite" or "… is out of range for float32".
func finiteFloats(_ t: AnyTensor, _ path: String, position: (Int) -> String) throws -> Tensor<Float> {
  if let (i, value) = t.firstNonFinite {
    throw CLIError("\(path): value \(value) at \(position(i)) is not finite")
  }
  let f = t.converted(to: Float.self)
  if let i = firstNonFiniteIndex(f) {
    let original = t.converted(to: Double.self).scalars[i]
    throw CLIError(
      "\(path): value \(original) at \(position(i)) is out of range for float32 (largest magnitude 3.4028235e38)")
  }
  return f
}

/// Checks per-pair targets against what `kind` accepts, naming the file and the pair.
///
/// - Throws: ``CLIError``: for the embedding loss a target that is neither 1 nor -1; for mse a
///   label outside [0, 1].
func checkTargets(_ t: Tensor<Float>, _ path: String, for kind: CosineLoss.Kind) throws {
  switch kind {
  case .embedding:
    if let i = t.scalars.firstIndex(where: { $0 != 1 && $0 != -1 }) {
      throw CLIError("\(path): target \(t.scalars[i]) of pair \(i) is neither 1 nor -1 (the embedding loss needs ±1)")
    }
  case .mse:
    if let i = t.scalars.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
      throw CLIError(
        "\(path): label \(t.scalars[i]) of pair \(i) is outside [0, 1] (the mse loss takes labels in [0, 1])")
    }
  default:
    break
  }
}
