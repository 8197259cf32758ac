import CosineCore

/// How per-sample losses are combined. Every loss in CosineKit defaults to ``mean``.
public enum Reduction: String, Sendable, CaseIterable {
  /// No reduction: one (weighted) loss per sample, in the shape of the inputs without the axis.
  case none
  /// `Σ w·loss`: a rank-0 tensor.
  case sum
  /// `Σ w·loss ÷ number of samples`, Keras's `sum_over_batch_size`: samples with weight 0 still
  /// count in the denominator. An empty batch gives 0. A rank-0 tensor.
  case mean
}
