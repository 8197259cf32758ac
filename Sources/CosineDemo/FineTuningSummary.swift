import CosineKit

/// What fine-tuning the encoder itself did in `cosine demo text --finetune`, for the report: the
/// held-out metrics of the frozen and the fine-tuned encoder, both embedding the same texts.
public struct FineTuningSummary: Sendable {
  /// Held-out metrics of the model as loaded, embedding the queries and the bundled document
  /// texts (their first 160 characters).
  public var frozen: RetrievalMetrics
  /// The same after fine-tuning.
  public var fineTuned: RetrievalMetrics
  /// The batch loss of every step.
  public var losses: [Double]
  /// Seconds of training.
  public var seconds: Double
  /// The settings, one line (loss, epochs, batch, learning rate, warm-up).
  public var settings: String

  /// A summary from its parts.
  public init(
    frozen: RetrievalMetrics, fineTuned: RetrievalMetrics, losses: [Double], seconds: Double, settings: String
  ) {
    self.frozen = frozen
    self.fineTuned = fineTuned
    self.losses = losses
    self.seconds = seconds
    self.settings = settings
  }
}
