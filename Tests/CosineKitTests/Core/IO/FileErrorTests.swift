import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// One error type for every file the library reads or writes, always one line.
@Suite struct FileErrorTests {
  @Test func npyAndModelFileErrorsAreOneType() {
    #expect(NPYError.self == FileError.self && TrainingFileError.self == FileError.self)
    let e: any Error = TrainingFileError(path: "m.cosine", message: "truncated")
    #expect((e as? NPYError) == FileError(path: "m.cosine", message: "truncated"))
  }

  @Test(arguments: ["\n", "\r", "\t", "\u{1B}", "\u{7F}", "\u{85}"])
  func controlCharactersAreEscapedInPathAndMessage(_ c: String) {
    let e = FileError(path: "dir\(c)x.npy", message: "bad\(c)header")
    let escaped = c.escapingControlCharacters
    #expect(escaped.hasPrefix("\\x") && escaped.count == 4)
    #expect(e.description == "dir\(escaped)x.npy: bad\(escaped)header")
    #expect(!e.description.contains(where: { $0.isNewline || $0 == "\t" }))
  }
}
