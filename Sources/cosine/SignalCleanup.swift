import CosineEncoders
import CosineKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// SIGINT, SIGTERM and SIGHUP end the command cleanly: temporary output files are removed and
/// the exit status is 128 + the signal's number (130, 143, 129), as a shell reports.
///
/// The signals are blocked in every thread (``install()`` runs first in `main`, before any
/// worker thread exists, and threads inherit the mask) and taken by one thread with `sigwait`,
/// which can do what a signal handler cannot: take the lock of the list of temporary files
/// (waiting for a rename phase of ``StagedFile/commitAll(_:)`` to finish) and delete them.
enum SignalCleanup {
  static let signals: [CInt] = [SIGINT, SIGTERM, SIGHUP]

  /// Blocks the signals and starts the thread that handles them.
  static func install() {
    var set = sigset_t()
    sigemptyset(&set)
    for s in signals { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)
    var thread = pthread_t()
    _ = pthread_create(
      &thread, nil,
      { _ in
        var set = sigset_t()
        sigemptyset(&set)
        for s in SignalCleanup.signals { sigaddset(&set, s) }
        var received: CInt = 0
        while sigwait(&set, &received) != 0 {}
        StagedFile.removeAllTemporaries()
        FineTunedDirectory.removeAllStaging()
        ProgressBarCleanup.erase()
        _exit(128 + received)
      }, nil)
  }
}

/// Erases a progress bar drawn on a terminal when the command is interrupted.
enum ProgressBarCleanup {
  /// Set while a bar is drawn.
  nonisolated(unsafe) static var drawn = false

  static func erase() {
    if drawn { writeToStandardError("\r\u{1B}[K") }
  }
}
