import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

@Suite struct ShapeTests {
  @Test func broadcastFollowsNumPyRules() throws {
    #expect(try Shape.broadcast([3, 1, 5], [4, 5]) == [3, 4, 5])
    #expect(try Shape.broadcast([], [2, 3]) == [2, 3])
    #expect(throws: CosineError.self) { try Shape.broadcast([3, 2], [4, 2]) }
  }

  @Test func negativeAxesCountFromTheEnd() throws {
    #expect(try Shape.normalizedAxis(-1, rank: 3) == 2)
    #expect(try Shape.normalizedAxis(0, rank: 1) == 0)
    #expect(throws: CosineError.axisOutOfRange(axis: 3, rank: 3)) { try Shape.normalizedAxis(3, rank: 3) }
    #expect(throws: CosineError.axisOutOfRange(axis: -4, rank: 3)) { try Shape.normalizedAxis(-4, rank: 3) }
  }

  @Test func countRejectsNegativeAndOverflow() {
    #expect(throws: CosineError.self) { try Shape.count([2, -1]) }
    #expect(throws: CosineError.self) { try Shape.count([Int.max, 2]) }
  }
}
