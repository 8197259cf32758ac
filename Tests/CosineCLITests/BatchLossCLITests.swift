import CosineKit
import CosineTestSupport
import Foundation
import Testing

/// `cosine loss` and `cosine train` with the batch kinds.
@Suite(.serialized) struct BatchLossCLITests {
  let cli = CLITests()

  func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
    var g = SeededGenerator(seed: seed)
    return try! Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.gridUniform() })
  }

  /// Value and all three gradients equal the library's, for mnrl with negatives and every option.
  @Test func mnrlWritesValueAndThreeGradients() throws {
    let a = random([6, 5], seed: 1)
    let p = random([6, 5], seed: 2)
    let n = random([2, 6, 5], seed: 3)
    let r = try cli.run([
      "loss", "--kind", "mnrl", try cli.save(a, "a.npy"), try cli.save(p, "p.npy"), "--negatives",
      try cli.save(n, "n.npy"),
      "--scale", "7", "--directions", "query_to_doc,doc_to_doc", "--hardness-mode", "hard_negatives",
      "--hardness-strength", "3", "--reduction", "sum", "-o", cli.path("o.npy"), "--grad1", cli.path("g1.npy"),
      "--grad2", cli.path("g2.npy"), "--grad3", cli.path("g3.npy"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let loss = try MultipleNegativesRankingLoss(
      scale: 7, directions: [.queryToDoc, .docToDoc], hardnessMode: .hardNegatives, hardnessStrength: 3, reduction: .sum
    )
    let (v, g) = try loss.valueWithGradient(a, p, negatives: n)
    #expect(try NPY.read(contentsOf: cli.path("o.npy")) == AnyTensor(v))
    #expect(try NPY.read(contentsOf: cli.path("g1.npy")) == AnyTensor(g.first))
    #expect(try NPY.read(contentsOf: cli.path("g2.npy")) == AnyTensor(g.second))
    #expect(try NPY.read(contentsOf: cli.path("g3.npy")) == AnyTensor(g.negatives!))
  }

  @Test func pairKindsAndMatryoshka() throws {
    let a = random([5, 6], seed: 4)
    let b = random([5, 6], seed: 5)
    let n = random([5, 6], seed: 6)
    let y = Tensor<Double>([1, 0, 1, 0, 0])
    let cases: [([String], any BatchCosineLoss, Bool)] = [
      (["--kind", "cosent", "--target", try cli.save(y, "y.npy"), "--scale", "5"], try CoSENTLoss(scale: 5), false),
      (
        ["--kind", "triplet", "--negatives", try cli.save(n, "n.npy"), "--margin", "0.4"],
        try CosineTripletLoss(margin: 0.4), true
      ),
      (["--kind", "contrastive", "--target", cli.path("y.npy")], try ContrastiveLoss(), false),
      (
        ["--kind", "online-contrastive", "--target", cli.path("y.npy"), "--margin", "0.9"],
        try OnlineContrastiveLoss(margin: 0.9), false
      ),
      (
        ["--kind", "mnrl", "--matryoshka-dims", "6,3", "--matryoshka-weights", "1,0.5"],
        try MatryoshkaLoss(MultipleNegativesRankingLoss(), dims: [6, 3], weights: [1, 0.5]), false
      ),
    ]
    for (args, loss, negs) in cases {
      let r = try cli.run(
        [
          "loss", try cli.save(a, "a.npy"), try cli.save(b, "b.npy"), "-o", cli.path("o.npy"), "--grad1",
          cli.path("g1.npy"),
        ] + args)
      #expect(r.status == 0, "\(args): \(r.stderr)")
      let (v, g) = try loss.valueWithGradient(
        a, b, negatives: negs ? n : nil, target: args.contains("--target") ? y : nil)
      #expect(try NPY.read(contentsOf: cli.path("o.npy")) == AnyTensor(v), "\(args)")
      #expect(try NPY.read(contentsOf: cli.path("g1.npy")) == AnyTensor(g.first), "\(args)")
    }
  }

  /// Every bad argument: one line naming it, non-zero exit, nothing written.
  @Test func badArgumentsAreNamed() throws {
    let a = try cli.save(random([4, 3], seed: 7), "a.npy")
    let b = try cli.save(random([4, 3], seed: 8), "b.npy")
    let y = try cli.save(Tensor<Double>([0, 1, 2, 0]), "y.npy")
    let badNeg = try cli.save(random([3, 3], seed: 9), "bn.npy")
    let cases: [([String], String)] = [
      (["--kind", "mnrl", "--scale", "0"], "--scale"),
      (["--kind", "mnrl", "--scale", "nan"], "--scale"),
      (["--kind", "mnrl", "--directions", ""], "--directions"),
      (["--kind", "mnrl", "--directions", "query_to_doc,up"], "--directions"),
      (["--kind", "mnrl", "--directions", "doc_to_query"], "query_to_doc"),
      (
        ["--kind", "mnrl", "--directions", "query_to_doc,query_to_query", "--partition-mode", "per_direction"],
        "per_direction"
      ),
      (["--kind", "mnrl", "--negatives", badNeg], "--negatives"),
      (["--kind", "mnrl", "--hardness-mode", "hardest"], "--hardness-mode"),
      (["--kind", "contrastive", "--target", y], "--target"),
      (["--kind", "online-contrastive", "--target", y], "--target"),
      (["--kind", "cosent", "--target", y, "--reduction", "sum"], "--reduction"),
      (["--kind", "online-contrastive", "--target", y, "--reduction", "none"], "--reduction"),
      (["--kind", "cosent"], "--target"),
      (["--kind", "triplet"], "--negatives"),
      (["--kind", "mnrl", "--matryoshka-dims", "3,0"], "--matryoshka-dims"),
      (["--kind", "mnrl", "--matryoshka-dims", "9"], "matryoshka dim 9"),
      (["--kind", "keras", "--scale", "2"], "batch"),
    ]
    for (args, word) in cases {
      let out = cli.path("never.npy")
      let r = try cli.run(["loss", a, b, "-o", out] + args)
      #expect(r.status != 0, "\(args)")
      #expect(r.stderr.contains(word), "\(args): \(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(args)")
    }
  }

  @Test func trainWithBatchLosses() throws {
    let l = random([40, 6], seed: 10)
    let r = random([40, 5], seed: 11)
    let n = random([40, 5], seed: 12)
    let lp = try cli.save(l, "l.npy")
    let rp = try cli.save(r, "r.npy")
    let np = try cli.save(n, "n.npy")
    let y = try cli.save(Tensor<Double>((0..<40).map { Double($0 % 2) }), "y.npy")
    for args in [
      ["--loss", "mnrl", "--negatives", np, "--matryoshka-dims", "8,4"], ["--loss", "triplet", "--negatives", np],
      ["--loss", "cosent", "--target", y], ["--loss", "contrastive", "--target", y],
      ["--loss", "online-contrastive", "--target", y],
    ] {
      let model = cli.path("m.json")
      try? FileManager.default.removeItem(atPath: model)
      let res = try cli.run(
        ["train", lp, rp, "--epochs", "2", "--batch-size", "8", "--layers", "8", "-o", model] + args)
      #expect(res.status == 0, "\(args): \(res.stderr)")
      #expect(FileManager.default.fileExists(atPath: model))
    }
    let bad = try cli.run(["train", lp, rp, "--loss", "mse", "--negatives", np, "-o", cli.path("x.json")])
    #expect(bad.status != 0 && bad.stderr.contains("--negatives"))
  }
}
