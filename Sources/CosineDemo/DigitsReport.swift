import CosineKit
import Foundation

/// The report of a ``DigitsExperiment``: one self-contained HTML page with inline SVG (no
/// scripts, fonts or other network resources), readable offline in any browser.
///
/// It shows the recall before and after training, the training loss per epoch, histograms of
/// the cosine similarity of held-out positive and negative pairs before and after training, and
/// a sample of held-out retrievals drawn as digits (query top half over retrieved bottom half).
public struct DigitsReport: Sendable {
  /// What the experiment measured.
  public var outcome: DigitsExperiment.Outcome
  /// The data it ran on (for drawing digits).
  public var data: DigitsData
  /// How many retrievals to draw. Default 16.
  public var examples: Int = 16

  /// Creates a report.
  public init(outcome: DigitsExperiment.Outcome, data: DigitsData) {
    self.outcome = outcome
    self.data = data
  }

  /// Writes the page atomically.
  ///
  /// - Throws: the file system's error if `path` cannot be written.
  public func write(to path: String) throws {
    try ReportPage.write(html(), to: path)
  }

  /// The page.
  public func html() -> String {
    let o = outcome
    let e = o.experiment
    let positive = "#0d9488"
    let negative = "#ea580c"
    let histogramMax = ReportPage.histogramTop([
      o.before.positive, o.before.negative, o.after.positive, o.after.negative,
    ])
    func histogram(_ s: DigitsExperiment.Similarities, _ title: String) -> String {
      SVGCharts.histogram(
        [
          .init(values: s.positive, color: positive, label: "same image"),
          .init(values: s.negative, color: negative, label: "different digits"),
        ], yMax: histogramMax, title: title)
    }
    let fx = SVGCharts.fixed
    let mean = ReportPage.mean
    let esc = SVGCharts.escape

    let style = """
      .lead { font-size: 15px; }
      .card { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 14px 18px; min-width: 170px; }
      .good { color: #059669; } .muted { color: #6b7280; }
      .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
      .tile { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 8px; text-align: center; font-size: 12px; color: #374151; }
      .tile .pair { display: flex; justify-content: center; gap: 8px; }
      .tile .cap { margin-top: 4px; }
      td { padding: 3px 14px 3px 0; color: #374151; }
      """
    var page = ReportPage.head(title: "Digit halves in one cosine embedding space", style: style)
    page += """
      <h1>Top halves find their bottom halves</h1>
      <p class="lead">Two small towers learned one embedding space for the top half and the bottom half of
      handwritten 8×8 digits, trained with the cosine embedding loss: the two halves of an image are a
      positive pair, halves of different digits a negative pair. On \(o.heldOut.count) held-out images, each top
      half retrieves the bottom half with the highest cosine similarity; it counts as a hit when that bottom
      half comes from a digit of the same class.</p>
      <div class="cards">
      <div class="card"><div class="v good">\(fx(o.recallTrained, 2))</div><div class="k">recall@1 after training</div></div>
      <div class="card"><div class="v">\(fx(o.recallUntrained, 2))</div><div class="k">recall@1 untrained</div></div>
      <div class="card"><div class="v muted">0.10</div><div class="k">chance (10 classes)</div></div>
      <div class="card"><div class="v">\(fx(o.trainingSeconds, 1)) s</div><div class="k">training time, \(e.epochs) epochs</div></div>
      </div>

      <h2>Training loss</h2>
      <p>Mean cosine embedding loss over the \(e.trainingCount) training images and their pairs, per epoch.</p>
      <div class="panel">\(SVGCharts.lineChart(o.losses, width: 900, height: 280, xLabel: "epoch", yLabel: "loss"))</div>

      <h2>Cosine similarity of held-out pairs</h2>
      <p>Before training both kinds of pair look alike. After training the halves of the same image score
      high (mean \(fx(mean(o.after.positive), 2)), was \(fx(mean(o.before.positive), 2))) and halves of
      different digits score low (mean \(fx(mean(o.after.negative), 2)), was \(fx(mean(o.before.negative), 2))).
      Dashed lines mark the means; bars are the fraction of pairs per bin.</p>
      <p class="legend"><span><i class="sw" style="background:\(positive)"></i>top and bottom of the same image</span>
      <span><i class="sw" style="background:\(negative)"></i>top of one digit, bottom of a digit of another class</span></p>
      <div class="row">
      <div class="panel">\(histogram(o.before, "Before training"))</div>
      <div class="panel">\(histogram(o.after, "After training"))</div>
      </div>

      <h2>What the model retrieves</h2>
      <p>Each drawing joins a held-out query's top half (above the dashed line) with the bottom half it
      retrieved. Green frame: a digit of the query's class; red: another class.</p>
      <div class="tiles">

      """
    let shown = min(examples, o.heldOut.count)
    for k in 0..<shown {
      let before = o.retrievalsBefore[k]
      let after = o.retrievalsAfter[k]
      func tile(_ r: DigitsExperiment.Retrieval) -> String {
        let q = r.query * 64
        let t = r.retrieved * 64
        return SVGCharts.digitTile(
          top: data.images.scalars[q..<(q + 32)], bottom: data.images.scalars[(t + 32)..<(t + 64)],
          frame: r.correct ? "#10b981" : "#ef4444")
      }
      page += """
        <div class="tile"><div class="pair"><div>\(tile(before))<div class="cap">untrained: \(data.labels[before.retrieved])</div></div>
        <div>\(tile(after))<div class="cap">trained: \(data.labels[after.retrieved])</div></div></div>
        <div class="cap">query: a \(data.labels[after.query])</div></div>

        """
    }
    page += """
      </div>

      <h2>Settings</h2>
      <table>
      <tr><td>data</td><td>\(data.count) digits; \(e.trainingCount) for training, \(o.heldOut.count) held out</td></tr>
      <tr><td>towers</td><td>32 → \(e.hiddenSize) (tanh) → \(e.embeddingSize), one per half, Glorot-uniform initialization</td></tr>
      <tr><td>loss</td><td>cosine embedding loss, margin \(esc(SVGCharts.label(e.margin))); \(e.negativesPerImage) negatives per positive</td></tr>
      <tr><td>optimizer</td><td>Adam, learning rate \(esc(SVGCharts.label(e.learningRate))), \(e.batchSize) images per step, \(e.epochs) epochs</td></tr>
      <tr><td>seed</td><td>\(e.seed)</td></tr>
      <tr><td>final loss</td><td>\(o.losses.last.map { fx($0, 4) } ?? "–")</td></tr>
      </table>
      <footer>Data: “Optical Recognition of Handwritten Digits”, E. Alpaydin and C. Kaynak, UCI Machine Learning
      Repository (CC BY 4.0), as shipped with scikit-learn’s <code>load_digits</code>. Made with CosineKit
      (<code>cosine demo</code>).</footer>

      """
    return page + ReportPage.end
  }
}
