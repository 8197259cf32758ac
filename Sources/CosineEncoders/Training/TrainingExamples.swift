import Foundation

/// Training data for fine-tuning: texts in columns (anchors, positives, optional hard
/// negatives), or sentence pairs with a score, as sentence-transformers' datasets hold them.
public struct TrainingExamples: Sendable, Equatable {
  /// Column 0: anchors, or `sentence1`.
  public var anchors: [String]
  /// Column 1: positives, or `sentence2`.
  public var positives: [String]
  /// Column 2: one hard negative per example, or nil.
  public var negatives: [String]?
  /// One label per example (`score`), or nil.
  public var scores: [Double]?

  /// Examples from their columns.
  ///
  /// - Precondition: every column has the same count.
  public init(anchors: [String], positives: [String], negatives: [String]? = nil, scores: [Double]? = nil) {
    precondition(anchors.count == positives.count, "anchors and positives must pair up")
    precondition(negatives.map { $0.count == anchors.count } ?? true, "one negative per anchor")
    precondition(scores.map { $0.count == anchors.count } ?? true, "one score per pair")
    self.anchors = anchors
    self.positives = positives
    self.negatives = negatives
    self.scores = scores
  }

  /// The number of examples.
  public var count: Int { anchors.count }

  /// The text columns: anchors, positives, then negatives when present.
  public var columns: [[String]] { [anchors, positives] + (negatives.map { [$0] } ?? []) }

  /// Reads a JSON-lines file: every non-blank line one object, either
  /// `{"anchor": …, "positive": …}` with an optional `"negative"`, or
  /// `{"sentence1": …, "sentence2": …, "score": …}`; all lines of one form (and all with or all
  /// without `negative`).
  ///
  /// - Throws: ``EncoderModelError/invalidFile(path:reason:)`` naming the line and field: not a
  ///   JSON object, a missing or non-string text field, a non-finite or non-numeric score, an
  ///   unknown field, a form different from the first line's; also for an empty file.
  public static func read(contentsOf path: String) throws -> TrainingExamples {
    var anchors: [String] = []
    var positives: [String] = []
    var negatives: [String] = []
    var scores: [Double] = []
    var form: Set<String>?
    try TextLines.forEachLine(contentsOf: path) { number, line, bytes in
      if line.allSatisfy(\.isWhitespace) { return }
      let fail = { (reason: String) in EncoderModelError.invalidFile(path: path, reason: "line \(number): \(reason)") }
      guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
        throw fail("is not a JSON object")
      }
      let keys = Set(object.keys)
      let pairForm: Set<String> = ["anchor", "positive"]
      let scoreForm: Set<String> = ["sentence1", "sentence2", "score"]
      guard keys == pairForm || keys == pairForm.union(["negative"]) || keys == scoreForm else {
        if let unknown = keys.subtracting(pairForm.union(["negative"])).subtracting(scoreForm).sorted().first {
          throw fail(
            "unknown field '\(unknown)' (expected anchor, positive[, negative] or sentence1, sentence2, score)")
        }
        if !keys.isDisjoint(with: pairForm.union(["negative"])) && !keys.isDisjoint(with: scoreForm) {
          throw fail("mixes the fields of {anchor, positive[, negative]} and {sentence1, sentence2, score}")
        }
        let missing = (keys.contains("anchor") || keys.contains("positive") ? pairForm : scoreForm).subtracting(keys)
        throw fail("field '\(missing.sorted().first ?? "anchor")' is missing")
      }
      if let form, form != keys {
        throw fail("has fields \(keys.sorted()) but the first example has \(form.sorted()); all lines need one form")
      }
      form = keys
      func text(_ key: String) throws -> String {
        guard let s = object[key] as? String else { throw fail("field '\(key)' is not a string") }
        return s
      }
      if keys == scoreForm {
        anchors.append(try text("sentence1"))
        positives.append(try text("sentence2"))
        // JSON's true and false arrive as NSNumbers of type "c" (both platforms): not scores.
        guard let n = object["score"] as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue.isFinite else {
          throw fail("field 'score' is not a finite number")
        }
        scores.append(n.doubleValue)
      } else {
        anchors.append(try text("anchor"))
        positives.append(try text("positive"))
        if keys.contains("negative") { negatives.append(try text("negative")) }
      }
    }
    guard !anchors.isEmpty else { throw EncoderModelError.invalidFile(path: path, reason: "holds no examples") }
    return TrainingExamples(
      anchors: anchors, positives: positives, negatives: negatives.isEmpty ? nil : negatives,
      scores: scores.isEmpty ? nil : scores)
  }
}
