import ArgumentParser

/// Suggestions for mistyped options: ArgumentParser says "Unknown option '--k'" and no more; this
/// adds the closest option of the command that was run ("Did you mean '--top-k'?").
enum OptionSuggestion {
  /// `message` with a suggestion appended when it reports an unknown option and one of the
  /// invoked command's options is close (ignoring `-` and `_`, or within two edits).
  static func amend(_ message: String, arguments: [String]) -> String {
    guard message.hasPrefix("Unknown option '"), !message.contains("Did you mean"),
      let end = message.dropFirst(16).firstIndex(of: "'")
    else {
      return message
    }
    let unknown = String(message[message.index(message.startIndex, offsetBy: 16)..<end])
    let names = optionNames(of: command(for: arguments))
    guard let best = closest(to: unknown, in: names) else { return message }
    return "\(message). Did you mean '\(best)'?"
  }

  /// The subcommand the arguments invoke (the deepest one named).
  static func command(for arguments: [String]) -> ParsableCommand.Type {
    var current: ParsableCommand.Type = Cosine.self
    for a in arguments where !a.hasPrefix("-") {
      guard let next = current.configuration.subcommands.first(where: { $0._commandName == a }) else { break }
      current = next
    }
    return current
  }

  /// The long option names in a command's help.
  static func optionNames(of command: ParsableCommand.Type) -> [String] {
    let help = Cosine.helpMessage(for: command, columns: 10_000)
    var names: Set<String> = []
    var i = help.startIndex
    while let r = help[i...].range(of: "--") {
      var j = r.upperBound
      while j < help.endIndex, help[j].isLetter || help[j].isNumber || help[j] == "-" { j = help.index(after: j) }
      if j > r.upperBound { names.insert("--" + help[r.upperBound..<j]) }
      i = j
    }
    return names.sorted()
  }

  /// The name closest to `unknown`: equal once `-` and `_` are dropped, else at most two edits away.
  static func closest(to unknown: String, in names: [String]) -> String? {
    func bare(_ s: String) -> String { s.filter { $0 != "-" && $0 != "_" }.lowercased() }
    if let same = names.first(where: { bare($0) == bare(unknown) }) { return same }
    let scored = names.map { ($0, distance(bare($0), bare(unknown))) }.filter { $0.1 <= 2 }
    if let best = scored.min(by: { $0.1 < $1.1 }) { return best.0 }
    // A prefix of one name only (`--k` for `--top-k` is caught here through its last word).
    let words = names.filter { $0.split(separator: "-").last.map(String.init) == bare(unknown) }
    return words.count == 1 ? words[0] : nil
  }

  /// Levenshtein distance.
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
      var previous = row[0]
      row[0] = i
      for j in stride(from: 1, through: b.count, by: 1) {
        let old = row[j]
        row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
        previous = old
      }
    }
    return row[b.count]
  }
}
