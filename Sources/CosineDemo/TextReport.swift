import CosineKit
import Foundation

/// The report of a ``TextExperiment``: one self-contained HTML page with inline SVG (no
/// scripts, fonts or network resources), readable offline in any browser.
///
/// It shows the held-out metrics before and after training, the training loss per epoch,
/// histograms of the cosine similarity of matched and unmatched held-out pairs before and after
/// training, and a few held-out queries with their top results before and after (the correct
/// document marked).
public struct TextReport: Sendable {
  /// What the experiment measured.
  public var outcome: TextExperiment.Outcome
  /// The pairs it ran on (for the texts).
  public var data: TextPairs
  /// The command that reproduces the run, shown on the page.
  public var command: String
  /// The encoder's own fine-tuning (`--finetune`), shown beside the adapter; nil for none.
  public var fineTuning: FineTuningSummary?

  /// Creates a report.
  public init(outcome: TextExperiment.Outcome, data: TextPairs, command: String = "cosine demo text") {
    self.outcome = outcome
    self.data = data
    self.command = command
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
    let fx = SVGCharts.fixed
    let mean = ReportPage.mean
    let esc = SVGCharts.escape
    let matched = "#0d9488"
    let unmatched = "#ea580c"
    let sims = [
      o.similaritiesBefore.matched, o.similaritiesBefore.unmatched, o.similaritiesAfter.matched,
      o.similaritiesAfter.unmatched,
    ]
    let histogramMax = ReportPage.histogramTop(sims)
    func histogram(_ s: TextExperiment.Similarities, _ title: String) -> String {
      SVGCharts.histogram(
        [
          .init(values: s.matched, color: matched, label: "matched"),
          .init(values: s.unmatched, color: unmatched, label: "unmatched"),
        ], yMax: histogramMax, title: title)
    }
    func delta(_ a: Double, _ b: Double) -> String {
      let d = (b - a) * 100
      return (d >= 0 ? "+" : "−") + fx(abs(d), 1)
    }
    let metricRows: [(String, Double, Double)] =
      [1, 5, 10].map { ("recall@\($0)", o.before.recall[$0] ?? 0, o.after.recall[$0] ?? 0) } + [
        ("MRR@10", o.before.mrr[10] ?? 0, o.after.mrr[10] ?? 0),
        ("nDCG@10", o.before.ndcg[10] ?? 0, o.after.ndcg[10] ?? 0),
      ]
    let adapter =
      e.rank.map { "low-rank adapter W = I + U·Vᵀ, rank \($0)" } ?? "full-rank linear adapter (identity start)"
    let width = data.queryEmbeddings.shape[1]

    let style = """
      .card { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 14px 18px; flex: 1 1 150px; }
      .good { color: #059669; } .bad { color: #dc2626; } .muted { color: #6b7280; }
      td, th { padding: 4px 14px 4px 0; color: #374151; text-align: left; vertical-align: top; }
      th { color: #111827; }
      .metrics td:nth-child(n+2), .metrics th:nth-child(n+2) { text-align: right; font-variant-numeric: tabular-nums; }
      .q { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 10px 14px; margin: 10px 0; }
      .q .text { font-weight: 600; }
      .q .name { font-size: 12px; color: #6b7280; }
      .cols { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 6px; }
      .cols > div { flex: 1 1 400px; }
      .cols ol { margin: 4px 0; padding-left: 22px; font-size: 13px; color: #374151; }
      .cols li { margin: 3px 0; }
      .hit { color: #047857; font-weight: 600; }
      .mark { display: inline-block; width: 16px; font-weight: 700; }
      code { font-size: 12px; }
      """
    var page = ReportPage.head(title: "An adapter on frozen text embeddings", style: style)
    page += """
      <h1>An adapter on frozen text embeddings</h1>
      <p>\(esc(data.source)), embedded once by \(esc(data.model)). Each short text (the query) should
      retrieve its long text (the document). An adapter per side, trained on \(o.training.count) pairs with the
      embeddings frozen, changes how well the \(o.heldOut.count) held-out queries retrieve their documents among
      the \(o.heldOut.count) held-out documents (exact cosine search).</p>
      <div class="cards">
      <div class="card"><div class="v good">\(fx(o.after.recall[1] ?? 0, 3))</div><div class="k">held-out recall@1 with the adapter</div></div>
      <div class="card"><div class="v">\(fx(o.before.recall[1] ?? 0, 3))</div><div class="k">held-out recall@1, frozen embeddings</div></div>
      <div class="card"><div class="v \((o.after.recall[1] ?? 0) >= (o.before.recall[1] ?? 0) ? "good" : "bad")">\(delta(o.before.recall[1] ?? 0, o.after.recall[1] ?? 0))</div><div class="k">points of recall@1</div></div>
      <div class="card"><div class="v">\(fx(o.trainingSeconds, 1)) s</div><div class="k">training time, \(e.training.epochs) epochs</div></div>
      </div>

      <h2>Held-out metrics</h2>
      <p>As sentence-transformers’ <code>InformationRetrievalEvaluator</code> defines them; one relevant document per query.</p>
      <div class="panel"><table class="metrics">
      <tr><th>metric</th><th>frozen</th><th>adapter</th><th>change (points)</th></tr>

      """
    for (name, b, a) in metricRows {
      page +=
        "<tr><td>\(name)</td><td>\(fx(b, 4))</td><td>\(fx(a, 4))</td><td class=\"\(a >= b ? "good" : "bad")\">\(delta(b, a))</td></tr>\n"
    }
    page += """
      <tr><td class="muted">training pairs, recall@1</td><td class="muted">\(fx(o.trainingBefore.recall[1] ?? 0, 4))</td><td class="muted">\(fx(o.trainingAfter.recall[1] ?? 0, 4))</td><td class="muted">\(delta(o.trainingBefore.recall[1] ?? 0, o.trainingAfter.recall[1] ?? 0))</td></tr>
      </table></div>

      \(fineTuningSection())
      <h2>Adapter training loss</h2>
      <p>Mean loss over the training pairs, per epoch.</p>
      <div class="panel">\(SVGCharts.lineChart(o.losses, width: 900, height: 260, xLabel: "epoch", yLabel: "loss"))</div>

      <h2>Cosine similarity of held-out pairs</h2>
      <p>Matched: a query and its own document (mean \(fx(mean(o.similaritiesBefore.matched), 3)) before,
      \(fx(mean(o.similaritiesAfter.matched), 3)) after). Unmatched: a query and another held-out pair’s document
      (mean \(fx(mean(o.similaritiesBefore.unmatched), 3)) before, \(fx(mean(o.similaritiesAfter.unmatched), 3)) after).
      Retrieval works when the two stay apart; dashed lines mark the means.</p>
      <p class="legend"><span><i class="sw" style="background:\(matched)"></i>matched pairs</span>
      <span><i class="sw" style="background:\(unmatched)"></i>unmatched pairs</span></p>
      <div class="row">
      <div class="panel">\(histogram(o.similaritiesBefore, "Frozen embeddings"))</div>
      <div class="panel">\(histogram(o.similaritiesAfter, "With the adapter"))</div>
      </div>

      <h2>Held-out queries and what they retrieve</h2>
      <p>The top \(e.resultsPerExample) documents per query; <span class="hit">✓</span> marks the query’s own document.
      Shown first: queries whose first result the adapter corrected, then queries it made worse, if any.</p>

      """
    for ex in o.examples {
      func list(_ hits: [Int]) -> String {
        "<ol>"
          + hits.map { h in
            let ok = h == ex.pair
            return "<li\(ok ? " class=\"hit\"" : "")><span class=\"mark\">\(ok ? "✓" : "")</span>"
              + "<b>\(esc(data.names[h]))</b>: \(esc(data.documents[h]))</li>"
          }.joined() + "</ol>"
      }
      page += """
        <div class="q"><div class="text">\(esc(data.queries[ex.pair]))</div><div class="name">query of \(esc(data.names[ex.pair]))</div>
        <div class="cols"><div><b>frozen</b>\(list(ex.before))</div><div><b>adapter</b>\(list(ex.after))</div></div></div>

        """
    }
    page += """
      <h2>Settings</h2>
      <table>
      <tr><td>data</td><td>\(data.count) pairs of \(width)-value embeddings; \(o.training.count) for training, \(o.heldOut.count) held out</td></tr>
      <tr><td>adapter</td><td>\(esc(adapter))\(e.shared ? ", one for queries and documents" : ", one per side")</td></tr>
      <tr><td>loss</td><td>\(esc(e.training.objectiveDescription))</td></tr>
      <tr><td>optimizer</td><td>Adam, learning rate \(esc(SVGCharts.label(e.training.learningRate))) after a linear warm-up over \(fx(100 * e.training.warmupFraction, 0))% of the steps, then decaying linearly to 0; \(e.training.batchSize) pairs per step, \(e.training.epochs) epochs</td></tr>
      <tr><td>seed</td><td>\(e.seed)</td></tr>
      <tr><td>command</td><td><code>\(esc(command))</code></td></tr>
      </table>
      <footer>Texts: \(esc(data.source)). Embeddings: \(esc(data.model)). Made with CosineKit
      (<code>cosine demo text</code>); see TEXT-README.md next to the data for the generator and attribution.</footer>

      """
    return page + ReportPage.end
  }

  /// The section on fine-tuning the encoder, or nothing.
  func fineTuningSection() -> String {
    guard let f = fineTuning else { return "" }
    let fx = SVGCharts.fixed
    let o = outcome
    func delta(_ a: Double, _ b: Double) -> String {
      let d = (b - a) * 100
      return (d >= 0 ? "+" : "−") + fx(abs(d), 1)
    }
    func row(_ name: String, _ pick: (RetrievalMetrics) -> Double?) -> (String, Double, Double, Double, Double) {
      (name, pick(o.before) ?? 0, pick(o.after) ?? 0, pick(f.frozen) ?? 0, pick(f.fineTuned) ?? 0)
    }
    var rows = [1, 5, 10].map { k in row("recall@\(k)") { $0.recall[k] } }
    rows.append(row("MRR@10") { $0.mrr[10] })
    rows.append(row("nDCG@10") { $0.ndcg[10] })
    var html = """
      <h2>Fine-tuning the encoder itself</h2>
      <p>The same training pairs fine-tune the whole encoder from their texts (\(SVGCharts.escape(f.settings));
      \(fx(f.seconds, 0)) s). The bundle stores only the first 160 characters of each document’s text, so the
      encoder columns embed those prefixes for the held-out documents, frozen and fine-tuned alike; the adapter
      columns use the bundled embeddings of the whole documents.</p>
      <div class="panel"><table class="metrics">
      <tr><th>metric</th><th>frozen</th><th>adapter</th><th>encoder, frozen</th><th>encoder, fine-tuned</th><th>change (points)</th></tr>

      """
    for (name, a, b, c, d) in rows {
      html +=
        "<tr><td>\(name)</td><td>\(fx(a, 4))</td><td>\(fx(b, 4))</td><td>\(fx(c, 4))</td><td>\(fx(d, 4))</td>"
        + "<td class=\"\(d >= c ? "good" : "bad")\">\(delta(c, d))</td></tr>\n"
    }
    html += """
      </table></div>
      <p>Batch loss per step of the fine-tuning.</p>
      <div class="panel">\(SVGCharts.lineChart(f.losses, width: 900, height: 260, xLabel: "step", yLabel: "loss"))</div>

      """
    return html
  }
}
