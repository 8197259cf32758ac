/// The WordPiece model: greedy longest-match-first segmentation of each word into vocabulary
/// entries, continuations marked with a prefix (`##`).
///
/// A word longer than `maxInputCharactersPerWord` scalars, or with any part that no entry covers,
/// becomes the single unknown token. Entries are matched by their exact scalars (no canonical
/// equivalence: `é` and `e` + U+0301 are different entries, as in `tokenizers`).
struct WordPiece: Sendable {
  /// Ids by the scalars of each entry.
  let vocabulary: [[UInt32]: Int32]
  /// The unknown token's id.
  let unknownID: Int32
  /// The continuation prefix's scalars.
  let prefix: [UInt32]
  /// Words longer than this many scalars are unknown.
  let maxInputCharactersPerWord: Int
  /// The length of the longest entry, in scalars (with its prefix).
  let longestEntry: Int

  init(vocabulary: [[UInt32]: Int32], unknownID: Int32, prefix: [UInt32], maxInputCharactersPerWord: Int) {
    self.vocabulary = vocabulary
    self.unknownID = unknownID
    self.prefix = prefix
    self.maxInputCharactersPerWord = maxInputCharactersPerWord
    self.longestEntry = vocabulary.keys.map(\.count).max() ?? 0
  }

  /// Appends the ids of `word` to `ids`.
  func append(_ word: ArraySlice<UInt32>, to ids: inout [Int32]) {
    if word.count > maxInputCharactersPerWord {
      ids.append(unknownID)
      return
    }
    let mark = ids.count
    var start = word.startIndex
    var key = [UInt32]()
    key.reserveCapacity(min(word.count, longestEntry) + prefix.count)
    while start < word.endIndex {
      let head = start == word.startIndex ? [] : prefix
      // No entry is longer than `longestEntry`: shorter candidates only.
      var end = min(word.endIndex, start + max(0, longestEntry - head.count))
      var found: Int32? = nil
      while start < end {
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: head)
        key.append(contentsOf: word[start..<end])
        if let id = vocabulary[key] {
          found = id
          break
        }
        end -= 1
      }
      guard let id = found else {
        ids.removeSubrange(mark...)
        ids.append(unknownID)
        return
      }
      ids.append(id)
      start = end
    }
  }
}
