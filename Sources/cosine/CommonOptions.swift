import ArgumentParser

/// Output options shared by every command.
struct OutputOptions: ParsableArguments {
  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("Write the result to this .npy file (atomically) instead of printing it.", valueName: "OUT.npy"))
  var output: String?

  @Flag(help: "Accept inputs containing NaN or infinity (they propagate as in IEEE arithmetic).")
  var allowNonfinite = false
}

/// Gradient outputs of the commands that have them.
struct GradientOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Write the gradient of the sum of the output with respect to the first input.", valueName: "G1.npy"))
  var grad1: String?

  @Option(
    help: ArgumentHelp(
      "Write the gradient of the sum of the output with respect to the second input.", valueName: "G2.npy"))
  var grad2: String?

  var wanted: Bool { grad1 != nil || grad2 != nil }
}

/// Rejects a negative, infinite or NaN `--eps`.
func validateEps(_ eps: Double) throws {
  guard eps >= 0, eps.isFinite else { throw ValidationError("--eps must be a finite number >= 0, got \(eps)") }
}
