import CosineKit
import Foundation
import Testing

/// `cosine train --encoder DIR --pairs PAIRS.jsonl -o OUT_DIR` on the tiny `minilm` fixture.
@Suite(.serialized) struct EncoderTrainingCLITests: CLITestCase {
  let dir = CLITestSupport.makeTemporaryDirectory(prefix: "cosine-finetune")

  var model: String {
    var url = URL(fileURLWithPath: #filePath)
    while url.lastPathComponent != "Tests", url.path != "/" { url.deleteLastPathComponent() }
    return url.appendingPathComponent("CosineEncodersTests/Fixtures/minilm").path
  }

  func pairs(_ n: Int, negatives: Bool = false) throws -> String {
    let words = ["cat", "dog", "the", "a", "runs", "sleeps", "red", "blue"]
    let lines = (0..<n).map { i -> String in
      var record = [
        "anchor": "\(words[i % 8]) \(words[(i / 8) % 8]) \(i)", "positive": "\(words[(i + 3) % 8]) \(i) \(i)",
      ]
      if negatives { record["negative"] = "\(words[(i + 5) % 8]) \(i + 1000)" }
      return String(decoding: try! JSONSerialization.data(withJSONObject: record, options: .sortedKeys), as: UTF8.self)
    }
    let file = path("pairs-\(n)-\(negatives).jsonl")
    try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  @Test func trainsSavesAModelAndItsLossCurve() throws {
    let out = path("out")
    let r = try run([
      "train", "--encoder", model, "--pairs", try pairs(20, negatives: true), "-o", out, "--batch-size", "8",
      "--epochs", "2", "--learning-rate", "1e-3",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("examples: 20") && r.stdout.contains("loss mnrl") && r.stdout.contains("6 steps"))
    #expect(r.stdout.contains("saved: \(out)"))
    let csv = try String(contentsOfFile: out + "/loss.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.first?.hasPrefix("step,epoch,loss,learning_rate") == true)
    #expect(csv.count == 7)
    // The fine-tuned directory is a model directory of its own.
    try "the red cat\na dog\n".write(toFile: path("t.txt"), atomically: true, encoding: .utf8)
    let e = try run(["embed-text", "--model", out, path("t.txt"), "-o", path("e.npy")])
    #expect(e.status == 0, "\(e.stderr)")
  }

  /// Held-out pairs are measured before training and after each epoch.
  @Test func measuresHeldOutPairsAfterEachEpoch() throws {
    let out = path("eval")
    let r = try run([
      "train", "--encoder", model, "--pairs", try pairs(16), "-o", out, "--batch-size", "8", "--epochs", "2",
      "--eval-pairs", try pairs(10, negatives: false), "--learning-rate", "1e-3",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    for label in ["before training: 10 held-out pairs, recall@1", "epoch 1: 10 held-out pairs", "epoch 2: 10"] {
      #expect(r.stdout.contains(label), "\(label): \(r.stdout)")
    }
    let csv = try String(contentsOfFile: out + "/eval.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.first == "step,epoch,recall@1,mrr@10" && csv.count == 4)
    #expect(csv.dropFirst().map { $0.split(separator: ",")[0] } == ["0", "2", "4"])
    try "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 0.5}\n".write(
      toFile: path("dev-scored.jsonl"), atomically: true, encoding: .utf8)
    let bad = try run([
      "train", "--encoder", model, "--pairs", try pairs(4), "-o", path("x"), "--eval-pairs", path("dev-scored.jsonl"),
    ])
    #expect(bad.status != 0 && bad.stderr.contains("--eval-pairs takes"), "\(bad.stderr)")
  }

  /// sentence-transformers' CosineSimilarityLoss: (cos − score)² on scored pairs.
  @Test func trainsWithAPairwiseLoss() throws {
    let lines = (0..<12).map {
      "{\"sentence1\": \"the cat \($0)\", \"sentence2\": \"a dog \($0)\", \"score\": \(Double($0 % 4) / 4)}"
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: path("scored.jsonl"), atomically: true, encoding: .utf8)
    let r = try run([
      "train", "--encoder", model, "--pairs", path("scored.jsonl"), "-o", path("mse"), "--loss", "mse",
      "--batch-size", "4", "--learning-rate", "1e-3",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("loss mse") && r.stdout.contains("3 steps"))
    try "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 2}\n".write(
      toFile: path("bad-score.jsonl"), atomically: true, encoding: .utf8)
    let bad = try run([
      "train", "--encoder", model, "--pairs", path("bad-score.jsonl"), "-o", path("x"), "--loss", "mse",
    ])
    #expect(bad.status != 0 && bad.stderr.contains("outside [0, 1]"), "\(bad.stderr)")
  }

  /// Each batch loss of sentence-transformers trains from its form of the data.
  @Test func everyBatchLossTrains() throws {
    let scored = (0..<12).map {
      "{\"sentence1\": \"the cat \($0)\", \"sentence2\": \"a dog \($0)\", \"score\": \($0 % 2)}"
    }
    try (scored.joined(separator: "\n") + "\n").write(toFile: path("labels.jsonl"), atomically: true, encoding: .utf8)
    let triplets = try pairs(12, negatives: true)
    let runs: [(String, String, [String])] = [
      ("mnrl", triplets, ["--matryoshka-dims", "32,16"]), ("triplet", triplets, []),
      ("cosent", path("labels.jsonl"), []), ("contrastive", path("labels.jsonl"), []),
      ("online-contrastive", path("labels.jsonl"), []), ("cosine-distance", try pairs(12), []),
    ]
    for (loss, file, extra) in runs {
      let r = try run(
        ["train", "--encoder", model, "--pairs", file, "-o", path("out-\(loss)"), "--loss", loss, "--batch-size", "6"]
          + extra)
      #expect(r.status == 0, "\(loss): \(r.stderr)")
      let csv = try String(contentsOfFile: path("out-\(loss)/loss.csv"), encoding: .utf8).split(separator: "\n")
      #expect(csv.count == 3, "\(loss): two steps")
      #expect(csv.dropFirst().allSatisfy { Double($0.split(separator: ",")[2])?.isFinite == true }, "\(loss)")
    }
  }

  @Test func checkpointsAndResumesToTheSameModel() throws {
    let file = try pairs(24)
    let common = ["--batch-size", "4", "--learning-rate", "1e-3", "--seed", "3"]
    let straight = path("straight")
    #expect(try run(["train", "--encoder", model, "--pairs", file, "-o", straight] + common).status == 0)
    let broken = path("broken")
    let r = try run(["train", "--encoder", model, "--pairs", file, "-o", broken, "--checkpoint-every", "2"] + common)
    #expect(r.status == 0, "\(r.stderr)")
    let kept = try FileManager.default.contentsOfDirectory(atPath: broken).filter { $0.hasPrefix("checkpoint-") }
    #expect(kept == ["checkpoint-4"], "only the latest checkpoint is kept (the last step saves the model itself)")
    let resumed = path("resumed")
    let s = try run(
      ["train", "--encoder", model, "--pairs", file, "-o", resumed, "--resume", broken + "/checkpoint-4"] + common)
    #expect(s.status == 0, "\(s.stderr)")
    #expect(s.stdout.contains("resuming after step 4"))
    let a = try Data(contentsOf: URL(fileURLWithPath: straight + "/model.safetensors"))
    let b = try Data(contentsOf: URL(fileURLWithPath: resumed + "/model.safetensors"))
    #expect(a == b, "resuming gives the bytes of the unbroken run")
    let csv = try String(contentsOfFile: resumed + "/loss.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 7, "the loss curve continues the checkpoint's")
    let other = try run(
      [
        "train", "--encoder", model, "--pairs", file, "-o", path("x"), "--resume", broken + "/checkpoint-4",
        "--batch-size", "8",
      ])
    #expect(other.status != 0 && other.stderr.contains("batch_size"))
  }

  @Test func badInputIsOneLineNamingTheCause() throws {
    let file = try pairs(4)
    try "{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"anchor\": \"a\"}\n".write(
      toFile: path("bad.jsonl"), atomically: true, encoding: .utf8)
    try "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 0.5}\n".write(
      toFile: path("scored.jsonl"), atomically: true, encoding: .utf8)
    let cases: [([String], String)] = [
      (["train", "--encoder", model, "-o", path("o")], "--encoder needs --pairs"),
      (["train", "--encoder", model, "--pairs", file], "--encoder needs -o OUT_DIR"),
      (["train", "x.npy", "y.npy", "--encoder", model, "--pairs", file, "-o", path("o")], "LEFT.npy and RIGHT.npy"),
      (["train", "--encoder", model, "--pairs", file, "-o", path("o"), "--loss", "mse"], "needs {\"sentence1\""),
      (["train", "--encoder", model, "--pairs", file, "-o", path("o"), "--shared"], "--shared"),
      (["train", "--encoder", model, "--pairs", file, "-o", path("o"), "--warmup-ratio", "2"], "--warmup-ratio"),
      (["train", "--encoder", model, "--pairs", file, "-o", path("o"), "--max-length", "1"], "--max-length"),
      (["train", "--encoder", model, "--pairs", path("bad.jsonl"), "-o", path("o")], "line 2: field 'positive'"),
      (["train", "--encoder", model, "--pairs", path("scored.jsonl"), "-o", path("o")], "not scores"),
      (["train", "--encoder", model, "--pairs", file, "-o", path("o"), "--loss", "cosent"], "needs {\"sentence1\""),
      (["train", "--encoder", model, "--pairs", file, "-o", path("o"), "--loss", "triplet"], "\"negative\" field"),
      (["train", "--encoder", model, "--pairs", file, "-o", model], "is the model directory"),
      (["train", "--pairs", file], "applies only with --encoder"),
      (["demo", "text", "--finetune"], "--finetune needs --model DIR"),
      (["train", "--encoder", path("none"), "--pairs", file, "-o", path("o")], "--encoder must be a model directory"),
      (["train", "--encoder", model, "--pairs", file, "-o", path("o"), "--resume", path("none")], "--resume must be"),
      (["train", "--encoder", model, "--pairs", file, "-o", file], "is a file"),
    ]
    for (args, message) in cases {
      let r = try run(args)
      #expect(r.status != 0, "\(args)")
      #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count <= 3, "\(args): \(r.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: path("o")), "a refused run writes nothing")
  }
}
