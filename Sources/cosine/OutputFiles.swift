import CosineKit

/// Results of a command: written as .npy files, or printed.
struct Outputs {
  private var files: [(write: () throws -> Void, path: String)] = []

  /// Queues a tensor for `path`. Nothing is written until ``commit()``, so a failure while
  /// computing a later result leaves every output untouched.
  mutating func add(_ t: AnyTensor, to path: String?) {
    if let path { files.append(({ try NPY.write(t, to: path) }, path)) }
  }

  /// Queues indices (stored as whole numbers in a Double tensor) for `path`, as int64.
  mutating func addIndices(_ t: Tensor<Double>, to path: String?) {
    if let path { files.append(({ try NPY.writeInt64(t.scalars.map { Int64($0) }, shape: t.shape, to: path) }, path)) }
  }

  /// Queues a file that `write` writes (atomically) to `path`.
  mutating func addFile(_ path: String?, _ write: @escaping (String) throws -> Void) {
    if let path { files.append(({ try write(path) }, path)) }
  }

  /// Writes every queued file, each atomically (temporary file, then rename).
  func commit() throws {
    let paths = files.map(\.path)
    if let dup = paths.first(where: { p in paths.filter { $0 == p }.count > 1 }) {
      throw CLIError("\(dup): the same file is named for two outputs")
    }
    for f in files { try f.write() }
  }
}

/// Writes (or prints) a command's result and, if asked, the gradients of its sum.
func emit<T: TensorScalar>(
  _ value: Tensor<T>, pullback: (Tensor<T>) throws -> (Tensor<T>, Tensor<T>),
  output: OutputOptions, gradients: GradientOptions
) throws {
  var out = Outputs()
  out.add(AnyTensor(value), to: output.output)
  if gradients.wanted {
    let (g1, g2) = try pullback(try Tensor<T>(shape: value.shape, repeating: 1))
    out.add(AnyTensor(g1), to: gradients.grad1)
    out.add(AnyTensor(g2), to: gradients.grad2)
  }
  try out.commit()
  if output.output == nil { printTensor(value) }
}

/// Readable text for a tensor: a number for rank 0, one line per row otherwise.
func printTensor<T: TensorScalar>(_ t: Tensor<T>) {
  let s = t.shape
  if s.isEmpty {
    print(format(t.scalars[0]))
    return
  }
  let width = s.last ?? 0
  if t.count == 0 {
    print("(empty, shape \(Shape.describe(s)))")
    return
  }
  let rows = width == 0 ? 0 : t.count / width
  for r in 0..<rows {
    let line = (0..<width).map { format(t.scalars[r * width + $0]) }.joined(separator: " ")
    print(line)
  }
}

/// The shortest text that reads back as the same value.
func format<T: TensorScalar>(_ v: T) -> String { String(describing: v) }
