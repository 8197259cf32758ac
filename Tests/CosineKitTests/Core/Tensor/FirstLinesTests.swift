import Foundation
import Testing

import CosineCore
import CosineKit
import CosineSearch
import CosineTestSupport

/// What a PyTorch, NumPy or MLX user types first: literals of any rank, loading and saving
/// `.npy`, `.T`, norms, variadic shapes, `Array(a)`, and results that print as people read them.
@Suite struct FirstLinesTests {
  @Test func nestedLiteralsOfAnyRank() {
    let v: Tensor<Float> = [1, -1, 2.5]
    #expect(v.shape == [3] && v.scalars == [1, -1, 2.5])
    let m: Tensor<Float> = [[1, 2], [3, 4]]
    #expect(m.shape == [2, 2] && m.scalars == [1, 2, 3, 4])
    let c: Tensor<Double> = [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]
    #expect(c.shape == [3, 2, 2] && c.scalars == (1...12).map(Double.init))
    let h: Tensor<Float16> = [[0.5], [1.5]]
    #expect(h.shape == [2, 1] && h.scalars == [0.5, 1.5])
    let e: Tensor<Float> = []
    #expect(e.shape == [0])
    let emptyRows: Tensor<Float> = [[], []]
    #expect(emptyRows.shape == [2, 0])
    // The unlabeled initializers still take arrays built at run time.
    let rows: [[Float]] = [[1, 2], [3, 4]]
    #expect(Tensor(rows) == m)
  }

  @Test func raggedLiteralsTrapNamingTheRow() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let _: Tensor<Float> = [[1, 2], [3]]
    }
    let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("row [1] has 1 elements"), "\(text)")
    await #expect(processExitsWith: .failure) {
      let _: Tensor<Float> = [1, [2]]
    }
  }

  @Test func loadAndSaveNpy() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("first-lines-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let x = Tensor<Double>([[1.0 / 3, 2], [1e300, -0.0]])
    let path = dir.appendingPathComponent("x.npy").path
    try x.write(to: path)
    #expect(try Tensor<Double>(contentsOf: path) == x)
    // Read as another type: converted as `converted(to:)` converts (1e300 → inf in Float).
    let f = try Tensor<Float>(contentsOf: URL(fileURLWithPath: path))
    #expect(f.scalars[0] == Float(1.0 / 3) && f.scalars[2] == .infinity && f.shape == [2, 2])
    // A Float tensor is written as float32, as numpy.save writes it.
    let p32 = dir.appendingPathComponent("f.npy")
    try Tensor<Float>([[1, 2]]).write(to: p32)
    #expect(try NPY.describe(contentsOf: p32.path).scalarType == "float32")
    // Integer files are refused, naming the file and the dtype.
    let ints = dir.appendingPathComponent("i.npy").path
    try NPY.writeInt64([1, 2, 3], shape: [3], to: ints)
    #expect { try Tensor<Float>(contentsOf: ints) } throws: { e in
      "\(e)".hasPrefix(ints) && "\(e)".contains("int64")
    }
    #expect(throws: NPYError.self) { try Tensor<Float>(contentsOf: dir.appendingPathComponent("missing.npy").path) }
    // A failed write leaves nothing behind.
    #expect(throws: NPYError.self) { try x.write(to: dir.appendingPathComponent("no/such/dir.npy").path) }
  }

  @Test func pytorchSpellings() {
    let a: Tensor<Double> = [[3, 4, 0], [1, 2, 2]]
    #expect(a.T.shape == [3, 2] && a.T.scalars == [3, 1, 4, 2, 0, 2])
    #expect(a.norm(axis: 1).scalars == [5, 3])
    #expect(a.norm(axis: 1, keepDims: true).shape == [2, 1])
    #expect(a.norm(axis: 0).shape == [3])
    let big: Tensor<Float> = [[1e20, 1e20, 1e20]]
    let n = Double(big.norm().scalars[0])
    #expect(abs(n - 1e20 * 3.0.squareRoot()) <= 1e-6 * n)
    let nan: Tensor<Float> = [[.nan, .infinity], [-.infinity, 1]]
    #expect(nan.norm().scalars[0].isNaN && nan.norm().scalars[1] == .infinity)
    let u = a.normalized()
    let want = Tensor<Double>([[0.6, 0.8, 0], [1.0 / 3, 2.0 / 3, 2.0 / 3]])
    #expect(allClose(u, want, rtol: 1e-15, atol: 1e-15))
    #expect(Tensor<Float>.zeros(4, 8).shape == [4, 8] && Tensor<Float>.ones(2, 3).scalars == [1, 1, 1, 1, 1, 1])
    #expect(Array(a) == [3, 4, 0, 1, 2, 2])
  }

  @Test func resultsReadLikeFaissAndPrint() throws {
    let corpus: Tensor<Float> = [[1, 0], [0, 1], [1, 1]]
    let queries: Tensor<Float> = [[1, 0.1], [0, 1]]
    let r = try CosineIndex(corpus).search(queries, k: 2)
    let (D, I) = r.faiss
    #expect(D.shape == [2, 2] && I == [[0, 2], [1, 2]])
    #expect(r[1].map(\.index) == [1, 2] && r.hitLists.count == 2 && r.scoreLists[1][0] == 1)
    #expect(r[1][0].description == "(1, 1.0)")
    #expect(r.description.hasPrefix("CosineSearchResults<Float>: 2 queries, top 2\nquery 0: (0, "))
    #expect(CosineIndex(corpus: corpus).description == "CosineIndex<Float>: 3 rows of 2")
    let pair = CosineScoredPair<Float>(first: 3, second: 10, score: 1)
    #expect(pair.description == "(3, 10, 1.0)")
    #expect(AnyTensor(Tensor<Float>([[1, 2]])).description == "float32 [1, 2]\n[[1.0, 2.0]]")
  }
}

extension CosineIndex {
  /// `try! CosineIndex(corpus)`, for one-line expectations.
  fileprivate init(corpus: Tensor<Scalar>) { self = try! CosineIndex(corpus) }
}
