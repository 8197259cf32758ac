import CosineKit

/// Small, dependency-free SVG charts for the HTML reports: a line chart, overlaid histograms
/// and pixel tiles. Every chart is a self-contained `<svg>` element with inline styles.
enum SVGCharts {
  /// A series of a histogram.
  struct Series {
    var values: [Double]
    var color: String
    var label: String
  }

  /// A line chart of `values` against 1…n, with axes, ticks and labels.
  static func lineChart(_ values: [Double], width: Int = 640, height: Int = 260, xLabel: String, yLabel: String)
    -> String
  {
    let m = (left: 58.0, right: 16.0, top: 14.0, bottom: 44.0)
    let w = Double(width) - m.left - m.right
    let h = Double(height) - m.top - m.bottom
    let finite = values.filter(\.isFinite)
    let (lo, hi) = niceRange(min: min(0, finite.min() ?? 0), max: finite.max() ?? 1)
    let n = values.count
    func x(_ i: Int) -> Double { m.left + (n <= 1 ? w / 2 : w * Double(i) / Double(n - 1)) }
    func y(_ v: Double) -> Double { m.top + h * (1 - (v - lo) / (hi - lo)) }
    var s = svgOpen(width, height, label: "\(yLabel) by \(xLabel)")
    for t in ticks(lo, hi) {
      s += line(m.left, y(t), m.left + w, y(t), stroke: "#e5e7eb")
      s += text(m.left - 8, y(t) + 4, label(t), anchor: "end", size: 12, fill: "#4b5563")
    }
    for i in xTicks(n) {
      s += line(x(i), m.top + h, x(i), m.top + h + 5, stroke: "#9ca3af")
      s += text(x(i), m.top + h + 19, String(i + 1), anchor: "middle", size: 12, fill: "#4b5563")
    }
    s += line(m.left, m.top + h, m.left + w, m.top + h, stroke: "#6b7280")
    s += line(m.left, m.top, m.left, m.top + h, stroke: "#6b7280")
    if n > 0 {
      let points = values.enumerated().map { "\(f(x($0.offset))),\(f(y($0.element.isFinite ? $0.element : hi)))" }
      s +=
        "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"\(points.joined(separator: " "))\"/>"
      for (i, v) in values.enumerated() where n <= 60 {
        s +=
          "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v.isFinite ? v : hi)))\" r=\"3\" fill=\"#2563eb\"><title>epoch \(i + 1): \(label(v, digits: 4))</title></circle>"
      }
    }
    s += text(m.left + w / 2, Double(height) - 8, xLabel, anchor: "middle", size: 13, fill: "#111827")
    s +=
      "<text x=\"14\" y=\"\(f(m.top + h / 2))\" transform=\"rotate(-90 14 \(f(m.top + h / 2)))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#111827\">\(escape(yLabel))</text>"
    return s + "</svg>"
  }

  /// Overlaid histograms of values in [lo, hi], as fractions of each series, with a dashed
  /// line at each series' mean.
  static func histogram(
    _ series: [Series], range lo: Double = -1, _ hi: Double = 1, bins: Int = 40, width: Int = 440, height: Int = 250,
    yMax sharedMax: Double? = nil, title: String
  ) -> String {
    let m = (left: 50.0, right: 12.0, top: 30.0, bottom: 40.0)
    let w = Double(width) - m.left - m.right
    let h = Double(height) - m.top - m.bottom
    let counts = series.map { frequencies($0.values, lo, hi, bins) }
    let top = sharedMax ?? niceRange(min: 0, max: counts.flatMap { $0 }.max() ?? 1).1
    func x(_ v: Double) -> Double { m.left + w * (v - lo) / (hi - lo) }
    func y(_ v: Double) -> Double { m.top + h * (1 - v / top) }
    var s = svgOpen(width, height, label: title)
    s += text(m.left, 18, title, anchor: "start", size: 14, fill: "#111827", weight: "600")
    for t in ticks(0, top) {
      s += line(m.left, y(t), m.left + w, y(t), stroke: "#e5e7eb")
      s += text(m.left - 6, y(t) + 4, label(t), anchor: "end", size: 11, fill: "#4b5563")
    }
    let bw = w / Double(bins)
    for (k, c) in counts.enumerated() {
      for (b, v) in c.enumerated() where v > 0 {
        s +=
          "<rect x=\"\(f(m.left + bw * Double(b) + 0.5))\" y=\"\(f(y(v)))\" width=\"\(f(max(0.5, bw - 1)))\" height=\"\(f(m.top + h - y(v)))\" fill=\"\(series[k].color)\" fill-opacity=\"0.55\"/>"
      }
    }
    for sr in series where !sr.values.isEmpty {
      let mean = sr.values.reduce(0, +) / Double(sr.values.count)
      s +=
        "<line x1=\"\(f(x(mean)))\" y1=\"\(f(m.top))\" x2=\"\(f(x(mean)))\" y2=\"\(f(m.top + h))\" stroke=\"\(sr.color)\" stroke-width=\"2\" stroke-dasharray=\"5 4\"><title>\(escape(sr.label)) mean: \(label(mean, digits: 3))</title></line>"
    }
    for t in stride(from: lo, through: hi + 1e-9, by: (hi - lo) / 4) {
      s += line(x(t), m.top + h, x(t), m.top + h + 5, stroke: "#9ca3af")
      s += text(x(t), m.top + h + 18, label(t), anchor: "middle", size: 11, fill: "#4b5563")
    }
    s += line(m.left, m.top + h, m.left + w, m.top + h, stroke: "#6b7280")
    s += text(m.left + w / 2, Double(height) - 6, "cosine similarity", anchor: "middle", size: 12, fill: "#111827")
    return s + "</svg>"
  }

  /// An 8×8 grey-level digit drawn from a top half and a bottom half (32 pixels each, 0…16),
  /// with a thin line between the halves and a coloured frame.
  static func digitTile(top: ArraySlice<Float>, bottom: ArraySlice<Float>, frame: String, cell: Int = 9) -> String {
    let size = 8 * cell + 6
    var s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size)\" height=\"\(size)\" viewBox=\"0 0 \(size) \(size)\">"
    s +=
      "<rect x=\"1.5\" y=\"1.5\" width=\"\(size - 3)\" height=\"\(size - 3)\" fill=\"#fff\" stroke=\"\(frame)\" stroke-width=\"3\"/>"
    let pixels = Array(top) + Array(bottom)
    for (i, v) in pixels.enumerated() where v > 0 {
      let shade = Int((255 * (1 - Double(min(16, v)) / 16)).rounded())
      s +=
        "<rect x=\"\(3 + (i % 8) * cell)\" y=\"\(3 + (i / 8) * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),\(shade))\"/>"
    }
    s +=
      "<line x1=\"3\" y1=\"\(3 + 4 * cell)\" x2=\"\(size - 3)\" y2=\"\(3 + 4 * cell)\" stroke=\"#f59e0b\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>"
    return s + "</svg>"
  }

  // MARK: Helpers

  /// Fractions of `values` in each of `bins` equal bins over [lo, hi] (values outside are
  /// clamped into the end bins; NaN is skipped).
  static func frequencies(_ values: [Double], _ lo: Double, _ hi: Double, _ bins: Int) -> [Double] {
    var c = [Double](repeating: 0, count: bins)
    let valid = values.filter { !$0.isNaN }
    for v in valid {
      let b = Int(((v - lo) / (hi - lo) * Double(bins)).rounded(.down))
      c[min(bins - 1, max(0, b))] += 1
    }
    return valid.isEmpty ? c : c.map { $0 / Double(valid.count) }
  }

  /// A range containing [min, max] whose ends are multiples of a 1-2-5 step.
  static func niceRange(min lo: Double, max hi: Double) -> (Double, Double) {
    guard lo.isFinite, hi.isFinite else { return (0, 1) }
    if hi - lo < 1e-12 { return (lo - 0.5, hi + 0.5) }
    let step = niceStep((hi - lo) / 5)
    return ((lo / step).rounded(.down) * step, (hi / step).rounded(.up) * step)
  }

  static func niceStep(_ raw: Double) -> Double {
    var p = 1.0
    while p * 10 <= raw { p *= 10 }
    while p > raw { p /= 10 }
    for k in [1.0, 2, 5, 10] where k * p >= raw { return k * p }
    return 10 * p
  }

  static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
    let step = niceStep((hi - lo) / 5)
    var out: [Double] = []
    var t = (lo / step).rounded(.up) * step
    while t <= hi + step * 1e-9 {
      out.append(abs(t) < step * 1e-9 ? 0 : t)
      t += step
    }
    return out
  }

  static func xTicks(_ n: Int) -> [Int] {
    guard n > 0 else { return [] }
    let step = max(1, Int(niceStep(Double(n) / 8).rounded(.up)))
    var out = [0]
    var i = step - 1
    while i < n {
      if i > 0 { out.append(i) }
      i += step
    }
    if out.last != n - 1 && n - 1 - (out.last ?? 0) >= step / 2 { out.append(n - 1) }
    return out
  }

  static func label(_ v: Double, digits: Int? = nil) -> String {
    if let digits { return fixed(v, digits) }
    if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
    for d in 1...4 where abs(v * pow10(d) - (v * pow10(d)).rounded()) < 1e-6 { return fixed(v, d) }
    return fixed(v, 4)
  }

  static func pow10(_ d: Int) -> Double { (0..<d).reduce(1.0) { r, _ in r * 10 } }

  /// `v` with exactly `digits` decimals.
  static func fixed(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return "\(v)" }
    let scaled = (abs(v) * pow10(digits)).rounded()
    let whole = Int(scaled / pow10(digits))
    let frac = Int(scaled - Double(whole) * pow10(digits))
    let sign = v < 0 && scaled != 0 ? "-" : ""
    guard digits > 0 else { return sign + String(whole) }
    let f = String(frac)
    return sign + String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
  }

  static func f(_ v: Double) -> String { fixed(v, 1) }

  static func svgOpen(_ width: Int, _ height: Int, label: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(label))\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\">"
  }

  static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) -> String {
    "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"1\"/>"
  }

  static func text(
    _ x: Double, _ y: Double, _ s: String, anchor: String, size: Int, fill: String, weight: String = "400"
  ) -> String {
    "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escape(s))</text>"
  }

  /// `s` with the five XML special characters escaped.
  static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(c)
      }
    }
    return out
  }
}
