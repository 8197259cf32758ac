import Foundation

/// The page scaffolding the demo reports share: the document head with the common style rules,
/// the closing tags, the atomic write and the scale shared by a report's histograms.
enum ReportPage {
  /// The style rules every report uses; a report appends its own after them.
  static let baseStyle = """
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #f9fafb; margin: 0; }
    main { max-width: 960px; margin: 0 auto; padding: 28px 24px 40px; }
    h1 { font-size: 26px; margin: 0 0 6px; }
    h2 { font-size: 18px; margin: 30px 0 8px; }
    p { line-height: 1.5; margin: 6px 0; color: #374151; }
    .cards { display: flex; gap: 14px; flex-wrap: wrap; margin: 18px 0 4px; }
    .card .v { font-size: 34px; font-weight: 700; }
    .card .k { font-size: 13px; color: #6b7280; }
    .panel { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 12px; }
    .row { display: flex; gap: 14px; flex-wrap: wrap; }
    .legend span { display: inline-block; margin-right: 18px; font-size: 13px; }
    .sw { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin-right: 6px; }
    table { border-collapse: collapse; font-size: 13px; }
    footer { margin-top: 30px; font-size: 12px; color: #6b7280; }
    """

  /// Everything up to and including `<main>`: doctype, metadata, the escaped `title`, and
  /// ``baseStyle`` followed by `style` (the report's own rules, one per line).
  static func head(title: String, style: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(SVGCharts.escape(title))</title>
    <style>
    \(baseStyle)
    \(style)
    </style>
    </head>
    <body>
    <main>

    """
  }

  /// Everything after the report's last element.
  static let end = """
    </main>
    </body>
    </html>

    """

  /// Writes `html` to `path` atomically.
  ///
  /// - Throws: the file system's error if `path` cannot be written.
  static func write(_ html: String, to path: String) throws {
    try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
  }

  /// The common top of histograms of `series` (40 bins over [-1, 1]), so they can be compared.
  static func histogramTop(_ series: [[Double]]) -> Double {
    SVGCharts.niceRange(min: 0, max: series.map { SVGCharts.frequencies($0, -1, 1, 40).max() ?? 0 }.max() ?? 1).1
  }

  /// The arithmetic mean of `v`; 0 when `v` is empty.
  static func mean(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }
}
