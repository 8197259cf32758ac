#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A one-line progress bar on standard error, for long runs.
///
/// It draws nothing unless standard error is a terminal, and nothing during the first second:
/// short runs and redirected output stay clean. Redraws at most ten times a second; ``finish()``
/// erases it.
final class ProgressBar {
  private let enabled: Bool
  private let start = ContinuousClock.now
  private var lastDraw: ContinuousClock.Instant?
  private var drawn = false

  /// A bar that draws only if `enabled` and standard error is a terminal.
  init(enabled: Bool) {
    self.enabled = enabled && isatty(2) == 1
  }

  /// Shows `fraction` (0…1) of the work done, with a short label.
  func update(_ fraction: Double, _ label: String) {
    guard enabled else { return }
    let now = ContinuousClock.now
    guard now - start >= .seconds(1) else { return }
    if let last = lastDraw, now - last < .milliseconds(100), fraction < 1 { return }
    lastDraw = now
    let f = Swift.min(1, Swift.max(0, fraction))
    let width = 30
    let filled = Int((f * Double(width)).rounded(.down))
    let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
    writeToStandardError("\r\u{1B}[K[\(bar)] \(Int((f * 100).rounded(.down)))% \(label)")
    drawn = true
    ProgressBarCleanup.drawn = true
  }

  /// Erases the bar if it was drawn.
  func finish() {
    if drawn { writeToStandardError("\r\u{1B}[K") }
    drawn = false
    ProgressBarCleanup.drawn = false
  }
}
