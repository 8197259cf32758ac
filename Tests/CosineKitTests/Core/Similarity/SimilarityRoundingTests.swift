import Testing

import CosineAnalysis
import CosineCore
import CosineKit
import CosineLosses
import CosineSearch
import CosineTraining

/// Normalization and similarity are formed in `Double` and rounded once (NumericalConventions,
/// "Accumulation type"): `Float` and `Float16` results within one ulp of the correctly rounded
/// value of a `Double` reference (the `Double` rounding error is far below their half-ulp, so the
/// only allowed miss is a boundary straddled by it), and `Double` results within the summation
/// bound of a double-double reference. (`Float` cosine: `FloatAccuracyTests`.)
@Suite struct SimilarityRoundingTests {
  static let dims = [1, 3, 64, 768]

  /// Rows of `d` standard normal values, every third row nearly parallel to the one before.
  static func rows(_ n: Int, _ d: Int, seed: UInt64) -> [[Double]] {
    var g = SeededGenerator(seed: seed)
    var out: [[Double]] = []
    for r in 0..<n {
      if r % 3 == 2 {
        out.append(out[r - 1].map { $0 * 2 + g.normal() * 1e-3 })
      } else {
        out.append((0..<d).map { _ in g.normal() })
      }
    }
    return out
  }

  static func tensor<T: TensorScalar>(_ rows: [[Double]], as _: T.Type) throws -> Tensor<T> {
    try Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0.map { T($0) } })
  }

  /// `x / ‖x‖` of each row of `t`, in double-double.
  static func normalized<T: TensorScalar>(_ t: Tensor<T>) -> [DoubleDouble] {
    let d = t.shape[1]
    let x = t.scalars.map { Double($0) }
    return (0..<t.shape[0]).flatMap { r in
      let row = Array(x[r * d..<(r + 1) * d])
      let norm = doubleDoubleDot(row, row).squareRoot()
      return row.map { DoubleDouble($0) / norm }
    }
  }

  @Test(arguments: dims)
  func floatAndHalfNormalizeWithinOneUlp(_ d: Int) throws {
    let rows = Self.rows(24, d, seed: UInt64(200 + d))
    let f = try Self.tensor(rows, as: Float.self)
    let gotF = try l2Normalize(f)
    let wantF = Self.normalized(f)
    let farF = zip(gotF.scalars, wantF).map { ulpDistance($0, Float($1.value)) }.filter { $0 > 1 }
    #expect(farF.isEmpty, "Float, D = \(d): ulp distances \(farF)")

    let h = try Self.tensor(rows, as: Float16.self)
    let gotH = try l2Normalize(h)
    let wantH = Self.normalized(h)
    let farH = zip(gotH.scalars, wantH).map { ulpDistance($0, Float16($1.value)) }.filter { $0 > 1 }
    #expect(farH.isEmpty, "Float16, D = \(d): ulp distances \(farH)")
  }

  @Test(arguments: dims)
  func halfCosineWithinOneUlp(_ d: Int) throws {
    let a = try Self.tensor(Self.rows(24, d, seed: UInt64(300 + d)), as: Float16.self)
    let b = try Self.tensor(
      Self.rows(24, d, seed: UInt64(400 + d)).enumerated().map { r, row in
        r % 4 == 3 ? a.scalars[r * d..<(r + 1) * d].map { -0.5 * Double($0) } : row
      }, as: Float16.self)
    let got = try cosineSimilarity(a, b)
    let want = Reference.cosineSimilarity(a.converted(), b.converted())
    let far = zip(got.scalars, want.scalars).map { ulpDistance($0, Float16($1)) }.filter { $0 > 1 }
    #expect(far.isEmpty, "D = \(d): ulp distances \(far)")
  }

  /// `Double` rows: the sum of D squares may carry (D − 1)/2 ulps of relative error into the
  /// norm's square root, then the reciprocal and the product add one rounding each.
  @Test(arguments: dims)
  func doubleNormalizeWithinTheSummationBound(_ d: Int) throws {
    let x = try Self.tensor(Self.rows(24, d, seed: UInt64(500 + d)), as: Double.self)
    let got = try l2Normalize(x)
    let want = Self.normalized(x)
    let bound = UInt64(d / 2 + 3)
    let ulps = zip(got.scalars, want).map { ulpDistance($0, $1.value) }
    #expect(ulps.allSatisfy { $0 <= bound }, "D = \(d): max \(ulps.max() ?? 0) ulps, bound \(bound)")
  }

  /// `Double` cosine against double-double: the three row sums carry at most (D − 1)·2⁻⁵³ of
  /// relative error each (of Σ|x1·x2| for the dot product, ≤ ‖x1‖‖x2‖), so the result is within
  /// (D + 3)·2⁻⁵³ of the exact cosine in absolute terms, and within D + 3 ulps where |cos| ≥ 1/2.
  @Test(arguments: dims)
  func doubleCosineWithinTheSummationBound(_ d: Int) throws {
    let ra = Self.rows(24, d, seed: UInt64(600 + d))
    let rb = Self.rows(24, d, seed: UInt64(700 + d)).enumerated().map { r, row in
      r % 4 == 3 ? ra[r].map { -3 * $0 } : row
    }
    let got = try cosineSimilarity(try Self.tensor(ra, as: Double.self), try Self.tensor(rb, as: Double.self))
    let bound = Double(d + 3) * 0x1p-53
    for (r, (x, y)) in zip(ra, rb).enumerated() {
      let exact = doubleDoubleDot(x, y) / (doubleDoubleDot(x, x).squareRoot() * doubleDoubleDot(y, y).squareRoot())
      let want = exact.value
      #expect(abs(got.scalars[r] - want) <= bound, "row \(r), D = \(d): \(got.scalars[r]) vs \(want)")
      if abs(want) >= 0.5 {
        #expect(ulpDistance(got.scalars[r], want) <= UInt64(d + 3), "row \(r), D = \(d)")
      }
    }
  }
}
