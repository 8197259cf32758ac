/// Runs `body`, trapping with the error's message if it throws, at `file` and `line`: the
/// caller's, when a non-throwing public form passes its own `#fileID` and `#line` through, so the
/// trap names the user's line as `precondition` does.
///
/// `fatalError` rather than `preconditionFailure`: release builds (`-c release`) keep the
/// message of a `fatalError`, but print only "precondition failure" for the other.
package func orTrap<R>(file: StaticString = #fileID, line: UInt = #line, _ body: () throws -> R) -> R {
  do { return try body() } catch { fatalError("\(error)", file: file, line: line) }
}

/// Checks that an upstream gradient has the shape of the value it is the gradient of.
package func checkUpstream<T>(_ g: Tensor<T>, _ shape: [Int], _ operation: String) throws {
  guard g.shape == shape else { throw CosineError.shapeMismatch(operation: operation + " gradient", g.shape, shape) }
}
