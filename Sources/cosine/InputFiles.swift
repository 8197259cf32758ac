import CosineKit

/// The floating-point type a command computes in: the widest of its inputs' types.
enum ComputeType: Int, Comparable {
  case float16, float32, float64

  init(_ t: AnyTensor) {
    switch t {
    case .float16: self = .float16
    case .float32: self = .float32
    case .float64: self = .float64
    }
  }

  static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

  /// Runs `job` with the matching Swift scalar type.
  func dispatch<J: TypedJob>(_ job: J) throws {
    switch self {
    case .float16: try job.run(Float16.self)
    case .float32: try job.run(Float.self)
    case .float64: try job.run(Double.self)
    }
  }
}

/// A command body written once for every scalar type.
protocol TypedJob {
  func run<T: TensorScalar>(_ type: T.Type) throws
}

/// Options every command that reads arrays shares.
struct InputPolicy {
  var allowNonfinite: Bool

  /// Reads `path`, rejecting NaN and infinity unless allowed.
  func load(_ path: String, as role: String) throws -> AnyTensor {
    let t = try NPY.read(contentsOf: path)
    if !allowNonfinite, let (index, value) = t.firstNonFinite {
      throw CLIError(
        "\(path): \(role) contains \(value) at flat index \(index) \(describeIndex(index, t.shape)) (pass --allow-nonfinite to accept NaN and infinity)"
      )
    }
    return t
  }

  private func describeIndex(_ flat: Int, _ shape: [Int]) -> String {
    var rem = flat
    var idx = [Int](repeating: 0, count: shape.count)
    for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
      idx[d] = rem % shape[d]
      rem /= shape[d]
    }
    return "(index " + Shape.describe(idx) + ")"
  }
}

extension AnyTensor {
  /// The first NaN or infinity, with its value as text.
  var firstNonFinite: (Int, String)? {
    switch self {
    case .float16(let t): firstNonFiniteIndex(t).map { ($0, "\(t.scalars[$0])") }
    case .float32(let t): firstNonFiniteIndex(t).map { ($0, "\(t.scalars[$0])") }
    case .float64(let t): firstNonFiniteIndex(t).map { ($0, "\(t.scalars[$0])") }
    }
  }
}

/// A command-line failure: printed as one line on stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}

/// Runs `body`, prefixing library errors (shape mismatches, bad axes, bad targets) with the
/// files involved so the message says which inputs are at fault.
func naming<R>(_ files: [String?], _ body: () throws -> R) throws -> R {
  do {
    return try body()
  } catch let error as CosineError {
    throw CLIError(files.compactMap { $0 }.joined(separator: ", ") + ": \(error)")
  }
}
