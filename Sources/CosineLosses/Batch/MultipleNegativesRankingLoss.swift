import CosineCore

/// sentence-transformers' `MultipleNegativesRankingLoss` (InfoNCE with in-batch negatives, and
/// its symmetric CLIP and GTE forms), streamed: the B × (B + M) score matrix is never held.
///
/// Anchors `A` [B, D], positives `P` [B, D] and optional hard negatives `N` [n, B, D] (row i of
/// block k is anchor i's k-th negative; [B, D] means n = 1). The documents are `P` then every
/// negative block (B·(1 + n) rows). With `cos` = `normalize(x)·normalize(y)` (`F.normalize`:
/// each norm clamped at 1e-12, every cosine within [−1, 1]), each anchor i has, per direction,
/// a row of logits `scale·cos`:
///
/// | direction | row i | excluded |
/// |---|---|---|
/// | ``Direction/queryToDoc`` | `A_i` against every document | — |
/// | ``Direction/queryToQuery`` | `A_i` against every anchor | `A_i` itself |
/// | ``Direction/docToQuery`` | `P_i` against every anchor | — |
/// | ``Direction/docToDoc`` | `P_i` against every document | `P_i` and anchor i's negatives |
///
/// ``HardnessMode`` adds `hardnessStrength · cos` (a constant for the gradient, PyTorch's
/// `detach`) to chosen query-to-document logits. The loss of anchor i is `log Z_i − scale·cos(A_i, P_i)`
/// where `log Z_i` is the log-sum-exp of all its rows' logits (``PartitionMode/joint``) or the
/// mean of one log-sum-exp per direction (``PartitionMode/perDirection``); then reduced.
///
/// ```swift
/// let loss = try MultipleNegativesRankingLoss()                      // InfoNCE, scale 20
/// let clip = try MultipleNegativesRankingLoss(
///   directions: [.queryToDoc, .docToQuery], partitionMode: .perDirection)  // symmetric InfoNCE
/// let (value, g) = try loss.valueWithGradient(anchors, positives)
/// // g.first, g.second: [B, D]; g.scale: d value / d scale
/// ```
///
/// **Streaming:** tiles of anchors × documents are scored by the packed GEMM kernels and folded
/// into an online log-sum-exp; the backward pass recomputes the tiles and accumulates both
/// gradients with GEMMs. Memory O((B + M)·D); time O(B·(B + M)·D) per direction on all cores.
///
/// **Accuracy:** `Double` inputs are computed in `Double`; `Float` and `Float16` inputs are
/// normalized in `Double` and scored in `Float` (cosine error below D·2⁻²⁴), and every
/// log-sum-exp and per-row quantity is accumulated in `Double`.
///
/// **Edge cases:** a zero row has cosine 0 with everything and a finite gradient (the exact
/// gradient of the clamped normalization, 1e12 × a unit vector); B = 1 gives 0 for
/// `queryToDoc` (its only logit is the positive); rows of 1e20 in `Float` are exact; an
/// all-excluded row (`queryToQuery` with B = 1) contributes nothing; B = 0 gives 0 (`mean`,
/// `sum`) or an empty result (`none`); NaN propagates.
public struct MultipleNegativesRankingLoss: BatchCosineLoss, Equatable {
  /// ``BatchLossKind/mnrl``.
  public var kind: BatchLossKind? { .mnrl }

  /// Which similarity rows enter an anchor's softmax (sentence-transformers' `directions`).
  public enum Direction: String, Sendable, CaseIterable {
    /// Anchor against every document (always present: it holds the positive).
    case queryToDoc = "query_to_doc"
    /// Anchor against every other anchor.
    case queryToQuery = "query_to_query"
    /// Positive against every anchor (the symmetric, CLIP term).
    case docToQuery = "doc_to_query"
    /// Positive against every document not belonging to its own anchor.
    case docToDoc = "doc_to_doc"
  }

  /// How the softmax denominator is formed (sentence-transformers' `partition_mode`).
  public enum PartitionMode: String, Sendable, CaseIterable {
    /// One log-sum-exp over the logits of every direction.
    case joint
    /// One log-sum-exp per direction, averaged. Not allowed with `queryToQuery` or `docToDoc`.
    case perDirection = "per_direction"
  }

  /// Which query-to-document logits get the stop-gradient penalty `hardnessStrength · cos`
  /// (sentence-transformers' `hardness_mode`).
  public enum HardnessMode: String, Sendable, CaseIterable {
    /// Every document of other anchors (their positives and negatives).
    case inBatchNegatives = "in_batch_negatives"
    /// The anchor's own hard negatives only.
    case hardNegatives = "hard_negatives"
    /// Every document but the anchor's own positive.
    case allNegatives = "all_negatives"
  }

  /// Multiplies every cosine (the inverse temperature). Default 20.
  public private(set) var scale: Double
  /// The directions, in order; contains ``Direction/queryToDoc``.
  public private(set) var directions: [Direction]
  /// Joint or per-direction softmax.
  public private(set) var partitionMode: PartitionMode
  /// The hardness penalty's target, or nil for none.
  public private(set) var hardnessMode: HardnessMode?
  /// The penalty's factor α ≥ 0 (ignored without a mode).
  public private(set) var hardnessStrength: Double
  /// How per-anchor losses are combined. Default ``Reduction/mean`` (as sentence-transformers).
  public var reduction: Reduction
  /// Anchor rows per streamed tile (rounded to the kernel's register block). Tests vary it.
  package var tileRows = 256
  /// Document rows per streamed tile (rounded to the kernel's panel width).
  package var tileColumns = 512
  /// Whether threads may take whole tiles of rows (with private gradient buffers when they fit
  /// in ``privateAccumulatorLimit``) instead of splitting each tile's columns. Tests vary it.
  package var rowParallel = true
  /// Bytes all threads' private gradient buffers may take together (64 MiB).
  package var privateAccumulatorLimit = 64 << 20
  /// Whether the forward pass also computes the gradients for a scalar upstream gradient (set
  /// by ``valueWithGradient(_:_:negatives:target:)``, whose pullback always follows).
  package var fusesGradients = false

  /// Creates the loss, checking its options as sentence-transformers does.
  ///
  /// - Parameters:
  ///   - scale: Inverse temperature, > 0 and finite. Default 20.
  ///   - directions: Non-empty, without repeats, containing `queryToDoc`.
  ///   - partitionMode: Default `joint`; `perDirection` rejects `queryToQuery` and `docToDoc`.
  ///   - hardnessMode: Default nil.
  ///   - hardnessStrength: ≥ 0 and finite. Default 0.
  ///   - reduction: Default `mean`.
  /// - Throws: ``CosineError/invalidArgument(_:)`` naming the bad option.
  public init(
    scale: Double = 20, directions: [Direction] = [.queryToDoc], partitionMode: PartitionMode = .joint,
    hardnessMode: HardnessMode? = nil, hardnessStrength: Double = 0, reduction: Reduction = .mean
  ) throws {
    try Self.checkOptions(
      scale: scale, directions: directions, partitionMode: partitionMode, hardnessStrength: hardnessStrength)
    self.scale = scale
    self.directions = directions
    self.partitionMode = partitionMode
    self.hardnessMode = hardnessMode
    self.hardnessStrength = hardnessStrength
    self.reduction = reduction
  }

  /// The checks of ``init(scale:directions:partitionMode:hardnessMode:hardnessStrength:reduction:)``,
  /// run again before every evaluation, since the options are mutable properties.
  package static func checkOptions(
    scale: Double, directions: [Direction], partitionMode: PartitionMode, hardnessStrength: Double
  ) throws {
    try BatchInputs.checkScale(scale)
    guard !directions.isEmpty else { throw CosineError.invalidArgument("directions must not be empty") }
    guard Set(directions).count == directions.count else {
      throw CosineError.invalidArgument("directions must not repeat, got \(directions.map(\.rawValue))")
    }
    guard directions.contains(.queryToDoc) else {
      throw CosineError.invalidArgument("directions must contain query_to_doc (it holds the positive pair)")
    }
    if partitionMode == .perDirection, directions.contains(.queryToQuery) || directions.contains(.docToDoc) {
      throw CosineError.invalidArgument(
        "partition mode per_direction needs every direction to contain the positive pair; "
          + "query_to_query and doc_to_doc do not (use joint)")
    }
    guard hardnessStrength >= 0, hardnessStrength.isFinite else {
      throw CosineError.invalidArgument("hardness strength must be a finite number >= 0, got \(hardnessStrength)")
    }
  }

  /// Parses a comma-separated list of direction names (`query_to_doc,doc_to_query`).
  ///
  /// - Throws: ``CosineError/invalidArgument(_:)`` for an empty list or an unknown name.
  public static func directions(parsing text: String) throws -> [Direction] {
    let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard !text.isEmpty, !names.contains(where: \.isEmpty) else {
      throw CosineError.invalidArgument("directions must be a non-empty comma-separated list, got '\(text)'")
    }
    return try names.map { name in
      guard let d = Direction(rawValue: name) else {
        throw CosineError.invalidArgument(
          "unknown direction '\(name)' (expected \(Direction.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      return d
    }
  }

  /// The value and its pullback. `negatives` are the hard negatives ([n, B, D] or [B, D]);
  /// `target` must be nil. The pullback's ``BatchLossGradients/negatives`` has the negatives'
  /// shape, and ``BatchLossGradients/scale`` is the derivative with respect to ``scale``.
  ///
  /// - Throws: ``CosineError`` for inputs that are not [B, D] matrices of one shape, negatives
  ///   of another shape, or a target.
  /// - Complexity: O(B·(B + M)·D) time, O((B + M)·D) memory; the pullback recomputes the scores.
  public func valueWithPullback<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>?, target: Tensor<T>?
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    guard target == nil else { throw CosineError.invalidArgument("the mnrl loss takes no target") }
    try Self.checkOptions(
      scale: scale, directions: directions, partitionMode: partitionMode, hardnessStrength: hardnessStrength)
    let (b, d) = try BatchInputs.pair(first, second, loss: "mnrl")
    let blocks = try negatives.map { try BatchLossKind.mnrl.negativeBlocks(shape: $0.shape, batch: b, dim: d) } ?? 0
    guard let kernels = T.lossKernels else {
      let e = try MNRLEngine<T, Float>(self, first, second, negatives, blocks: blocks, gradients: fusesGradients)
      return (e.value, { g in try e.gradients(g) })
    }
    return try Self.evaluate(kernels, self, first, second, negatives, blocks: blocks)
  }

  /// The engine through the scalar type's ``KernelScalar`` witness, which is concrete code: its
  /// loops run specialized whatever the caller.
  private static func evaluate<K: LossKernelScalar, T: TensorScalar>(
    _: K.Type, _ loss: Self, _ a: Tensor<T>, _ p: Tensor<T>, _ n: Tensor<T>?, blocks: Int
  ) throws -> (value: Tensor<T>, pullback: @Sendable (Tensor<T>) throws -> BatchLossGradients<T>) {
    K.retyped(
      try K.multipleNegativesRanking(loss, a.retyped(K.self), p.retyped(K.self), n?.retyped(K.self), blocks: blocks))
  }

  /// The value and the gradients of the value (of its sum for ``Reduction/none``). The same
  /// results as the pullback of ``valueWithPullback(_:_:negatives:target:)`` applied to ones, but
  /// with one `query_to_doc` direction, no hardness penalty and a `mean` or `sum` reduction the
  /// forward pass computes the gradients as it goes (three B × (B + M) × D products instead of
  /// four).
  ///
  /// - Throws: as ``valueWithPullback(_:_:negatives:target:)``.
  /// - Complexity: O(B·(B + M)·D) time, O((B + M)·D) memory.
  /// - **Edge cases**: as ``valueWithPullback(_:_:negatives:target:)``; when the per-thread
  ///   buffers would exceed 64 MiB the two passes run as there.
  public func valueWithGradient<T: TensorScalar>(
    _ first: Tensor<T>, _ second: Tensor<T>, negatives: Tensor<T>? = nil, target: Tensor<T>? = nil
  ) throws -> (value: Tensor<T>, gradients: BatchLossGradients<T>) {
    var fused = self
    fused.fusesGradients = true
    let (v, pb) = try fused.valueWithPullback(first, second, negatives: negatives, target: target)
    return (v, try pb(Tensor(uncheckedShape: v.shape, scalars: [T](repeating: 1, count: v.count))))
  }
}

extension LossKernelScalar {
  package static func multipleNegativesRanking(
    _ loss: MultipleNegativesRankingLoss, _ a: Tensor<Self>, _ p: Tensor<Self>, _ n: Tensor<Self>?, blocks: Int
  ) throws -> (value: Tensor<Self>, pullback: @Sendable (Tensor<Self>) throws -> BatchLossGradients<Self>) {
    let e = try MNRLEngine<Self, Working>(loss, a, p, n, blocks: blocks, gradients: loss.fusesGradients)
    return (e.value, { g in try e.gradients(g) })
  }
}
