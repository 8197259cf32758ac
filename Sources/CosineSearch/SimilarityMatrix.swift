import CCosineKernels
import CosineCore

/// The all-pairs cosine similarity matrix of the rows of `a` ([M, D]) and `b` ([N, D]).
///
/// `S[i, j] = a_i·b_j / (max(‖a_i‖, eps) · max(‖b_j‖, eps))`, each norm floored separately as in
/// ``cosineSimilarity(_:_:axis:eps:)``, clamped to [−1, 1]; the same as
/// `sentence_transformers.util.cos_sim` up to the eps convention.
///
/// It runs at GEMM speed with the norms fused in: every row is normalized once while it is
/// packed into the panel layout of a register-blocked micro-kernel (norms in `Double`, so no
/// finite input overflows), and the kernel writes each tile of `S` clamped, straight into the
/// result, on all cores. No M×N×D intermediate and no normalized copy of the inputs' size
/// beyond the packed panels is built.
///
/// ```swift
/// let s = try cosineSimilarityMatrix(queries, corpus)   // [M, N]
/// ```
///
/// - Parameters:
///   - a: Rows to compare, shape [M, D] (a rank-1 input is one row).
///   - b: Rows to compare against, shape [N, D].
///   - eps: Floor of each norm. Default 1e-8. Must be ≥ 0.
/// - Returns: An [M, N] tensor, every entry within [−1, 1] (or NaN).
/// - Throws: ``CosineError/shapeMismatch(operation:_:_:)`` if the inputs are not matrices with
///   the same number of columns; ``CosineError/invalidArgument(_:)`` for eps < 0.
///
/// **Accuracy:** `Double` inputs are computed in `Double`. `Float` and `Float16` inputs are
/// normalized in `Double`, rounded to `Float`, and their dot products accumulated in `Float`
/// with fused multiply-adds: the error is below D·2⁻²⁴ and typically √D·2⁻²⁴ (about 1e-6 for
/// D = 768). A pair of rows gets bitwise the same score here and in ``CosineIndex/search(_:k:)-3rgor``.
///
/// **Edge cases:** zero rows score 0 (also when eps is 0); empty inputs give an empty matrix;
/// D = 0 gives zeros; NaN propagates.
/// - Complexity: O(M·N·D) on all cores; O((M + N)·D) extra memory for the packed rows.
public func cosineSimilarityMatrix<T: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<T>, eps: Double = 1e-8) throws
  -> Tensor<T>
{
  try PackedMatrix.matrix(a, b, eps: eps)
}

/// The GEMM path of ``cosineSimilarityMatrix(_:_:eps:)-1tk5m``.
package enum PackedMatrix {
  /// Checks the inputs and computes the matrix (see ``compute(_:_:eps:as:shouldStop:blockWork:)``).
  package static func matrix<T: TensorScalar>(
    _ a: Tensor<T>, _ b: Tensor<T>, eps: Double, shouldStop: (() -> Bool)? = nil, blockWork: Int = 1 << 30
  ) throws -> Tensor<T> {
    try checkEps(eps)
    let a2 = a.rank == 1 ? a.reshaped([1, a.count]) : a
    let b2 = b.rank == 1 ? b.reshaped([1, b.count]) : b
    guard a2.rank == 2, b2.rank == 2, a2.shape[1] == b2.shape[1] else {
      throw CosineError.shapeMismatch(operation: "cosine similarity matrix (needs [M, D] and [N, D])", a.shape, b.shape)
    }
    return try compute(a2, b2, eps: eps, as: T.packedKernels, shouldStop: shouldStop, blockWork: blockWork)
  }

  /// `shouldStop`, when given, is asked between blocks of rows (at least 256 rows and about
  /// `blockWork` multiply-adds each, 2³⁰ unless a test asks for smaller blocks);
  /// when it says yes the computation ends with `CancellationError`.
  package static func compute<T: TensorScalar, K: KernelScalar>(
    _ a: Tensor<T>, _ b: Tensor<T>, eps: Double, as _: K.Type, shouldStop: (() -> Bool)? = nil,
    blockWork: Int = 1 << 30
  ) throws -> Tensor<T> {
    typealias E = K.Working
    let m = a.shape[0]
    let n = b.shape[0]
    let d = a.shape[1]
    let (total, overflow) = m.multipliedReportingOverflow(by: n)
    guard !overflow else {
      throw CosineError.invalidShape("a \(m) × \(n) similarity matrix does not fit in memory")
    }
    guard m > 0, n > 0 else { return Tensor(uncheckedShape: [m, n], scalars: []) }
    try MemoryBudget.check(
      count: total, elementSize: MemoryLayout<T>.stride,
      "the similarity matrix [\(m), \(n)] of \(Shape.describe(a.shape)) and \(Shape.describe(b.shape))")
    let bw = E.preferredPanelWidth
    let most = E.preferredQueryWidth(panelWidth: bw)
    let tiles = (m + most - 1) / most
    let aw = (m + tiles - 1) / tiles
    let pa = try a.scalars.withUnsafeBufferPointer {
      try Packing.packed($0.baseAddress, rows: m, dim: d, eps: eps, width: aw, as: E.self)
    }
    let pb = try b.scalars.withUnsafeBufferPointer {
      try Packing.packed($0.baseAddress, rows: n, dim: d, eps: eps, width: bw, as: E.self)
    }

    if T.self == E.self {
      let out = try [T](unsafeUninitializedCapacity: total) { buffer, initialized in
        ck_advise_huge_pages(buffer.baseAddress!, total * MemoryLayout<T>.stride)
        let c = SharedPointer(UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: E.self))
        if let shouldStop {
          // Blocks of at least 256 rows, so streaming `pb` once per block costs little next to the
          // products, and of about 2³⁰ multiply-adds, so a cancellation is seen within a fraction
          // of a second.
          let blockTiles = Swift.max((256 + aw - 1) / aw, blockWork / Swift.max(1, aw * n * Swift.max(1, d)))
          for tile in stride(from: 0, to: tiles, by: blockTiles) {
            if shouldStop() { throw CancellationError() }
            let r0 = tile * aw
            let r1 = Swift.min(m, (tile + blockTiles) * aw)
            multiply(pa, rows: r0..<r1, pb, n: n, into: c.base + r0 * n, rowStride: n)
          }
        } else {
          multiply(pa, rows: 0..<m, pb, n: n, into: c.base, rowStride: n)
        }
        initialized = total
      }
      return Tensor(uncheckedShape: [m, n], scalars: out)
    }
    // Float16: blocks of rows through a scratch of the working type, converted as they are done.
    // (A scalar type outside the library works in Double and converts in Swift.)
    let kernels = T.kernels
    precondition(T.packedKernels.workingType == E.self, "the matrix is computed in its storage or working type")
    let blockTiles = Swift.max(1, (8 << 20) / Swift.max(1, n * MemoryLayout<E>.stride * aw))
    var scratch = [E](repeating: 0, count: Swift.min(m, blockTiles * aw) * n)
    let out = try [T](unsafeUninitializedCapacity: total) { buffer, initialized in
      ck_advise_huge_pages(buffer.baseAddress!, total * MemoryLayout<T>.stride)
      let o = buffer.baseAddress!
      try scratch.withUnsafeMutableBufferPointer { s in
        var tile = 0
        while tile < tiles {
          if shouldStop?() == true { throw CancellationError() }
          let t1 = Swift.min(tiles, tile + blockTiles)
          let r0 = tile * aw
          let r1 = Swift.min(m, t1 * aw)
          multiply(pa, rows: r0..<r1, pb, n: n, into: s.baseAddress!, rowStride: n)
          if let kernels {
            kernels.storeWorking(UnsafeRawPointer(s.baseAddress!), count: (r1 - r0) * n, into: o + r0 * n)
          } else {
            for i in 0..<(r1 - r0) * n { (o + r0 * n + i).initialize(to: T(s[i])) }
          }
          tile = t1
        }
      }
      initialized = total
    }
    return Tensor(uncheckedShape: [m, n], scalars: out)
  }

  /// Rows `rows` (a range of whole query tiles) of `pa` against all of `pb`, into `c` (whose
  /// first row is row `rows.lowerBound`), on all cores: the larger side is split.
  package static func multiply<E: KernelScalar>(
    _ pa: PackedPanels<E>, rows: Range<Int>, _ pb: PackedPanels<E>, n: Int,
    into c: UnsafeMutablePointer<E>, rowStride ldc: Int
  ) where E.Working == E {
    let aw = pa.width
    let bw = pb.width
    let d = pa.dim
    let t0 = rows.lowerBound / aw
    let t1 = (rows.upperBound + aw - 1) / aw
    let out = SharedPointer(c)
    let bPanels = pb.panelCount
    let cost = (rows.count + 1) * bw * Swift.max(1, d)
    if bPanels >= 2 * CosineKitThreads.effectiveCount || bPanels >= t1 - t0 {
      Parallel.forEachChunk(bPanels, costPerItem: cost) { _, panels in
        let j0 = panels.lowerBound * bw
        let j1 = Swift.min(n, panels.upperBound * bw)
        E.gemm(
          pa.panel(t0), rows: rows.count, width: aw, pb.panel(panels.lowerBound), width: bw,
          rows: j1 - j0, dim: d, into: out.base + j0, rowStride: ldc)
      }
    } else {
      Parallel.forEachChunk(t1 - t0, costPerItem: aw * n * Swift.max(1, d)) { _, tiles in
        let i0 = (t0 + tiles.lowerBound) * aw
        let i1 = Swift.min(rows.upperBound, (t0 + tiles.upperBound) * aw)
        E.gemm(
          pa.panel(t0 + tiles.lowerBound), rows: i1 - i0, width: aw, pb.base, width: bw,
          rows: n, dim: d, into: out.base + (i0 - rows.lowerBound) * ldc, rowStride: ldc)
      }
    }
  }
}
