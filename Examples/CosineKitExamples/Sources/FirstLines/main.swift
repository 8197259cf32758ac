// The first lines a PyTorch, NumPy, MLX or FAISS user types, as a client of the package sees
// them: literals of any rank, .npy in and out, PyTorch spellings, FAISS's (D, I), printing.
// Exits non-zero if a result is not what it should be.
import CosineKit
import Foundation

func check(_ ok: Bool, _ what: String) {
  if !ok {
    FileHandle.standardError.write(Data("FirstLines: \(what) is wrong\n".utf8))
    exit(1)
  }
}

let corpus: Tensor<Float> = [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]]
let queries: Tensor<Float> = [[1, 0.1, 0], [0, 0, 2]]
check(corpus.shape == [4, 3] && corpus.T.shape == [3, 4], "a literal's shape")
check(Array(corpus.norm(axis: 1)) == [1, 1, Float(2).squareRoot(), 1], "the row norms")
check(Tensor<Float>.zeros(2, 3).shape == [2, 3], "zeros(2, 3)")

// .npy files in and out.
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("first-lines-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let file = dir.appendingPathComponent("corpus.npy")
try corpus.write(to: file)
let loaded = try Tensor<Float>(contentsOf: file)
check(loaded == corpus, "the .npy round trip")

// Search, read like FAISS.
let results = try CosineIndex(loaded).search(queries, k: 2)
let (D, I) = results.faiss
print("D:", D)
print("I:", I)
print(results[0])
check(I == [[0, 2], [3, 0]], "the ids")
check(results[1][0].index == 3 && results[1][0].score == 1, "the best hit of query 1")
check("\(results[0][0])".hasPrefix("(0, 0.99"), "a hit's description")

// The differentiable form, where the toolchain has it.
let u = queries.normalized()
check(abs(Double(u.norm(axis: 1).scalars[1]) - 1) < 1e-6, "normalized()")
print("first lines: ok")
