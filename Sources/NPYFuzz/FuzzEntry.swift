import CosineKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The libFuzzer entry point: decodes one input with ``NPY/decode(_:source:)`` and checks
/// what comes back.
///
/// A fuzzer finding is anything that traps (overflow, out-of-bounds, force unwrap, failed
/// precondition), that AddressSanitizer flags, or that breaks an invariant checked here:
/// - a rejected input yields an ``NPYError`` naming the source, with a non-empty one-line message;
/// - an accepted input yields a tensor whose element count is the product of its shape, which
///   ``NPY/encode(_:)`` turns into a file that decodes to the same shape, type and bits, and
///   which re-encodes to the same bytes.
///
/// - Parameters:
///   - data: The input bytes (libFuzzer passes a valid pointer, possibly to zero bytes).
///   - size: The number of bytes.
/// - Returns: 0, as libFuzzer requires; failures trap instead.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size)
  check(bytes)
  return 0
}

/// The parser under test: `.npy` files by default, model files (`cosine embed MODEL`) when the
/// environment variable `COSINE_FUZZ_PARSER` is `model`, index files (`cosine search --index`)
/// when it is `index`.
let fuzzedParser: String = {
  guard let p = getenv("COSINE_FUZZ_PARSER") else { return "npy" }
  return String(cString: p)
}()

/// Runs `bytes` through the selected parser's checks.
func check(_ bytes: UnsafeRawBufferPointer) {
  switch fuzzedParser {
  case "model": checkModelDecode(bytes)
  case "index": checkIndexDecode(bytes)
  default: checkDecode(bytes)
  }
}

/// Runs `bytes` through ``ModelFile/init(decoding:)``: a rejected input yields a one-line
/// ``TrainingFileError``; an accepted one re-encodes to a file that decodes to the same models.
func checkModelDecode(_ bytes: UnsafeRawBufferPointer) {
  let file: ModelFile<Float>
  do {
    file = try ModelFile<Float>(decoding: Array(bytes))
  } catch let error as TrainingFileError {
    precondition(!error.message.isEmpty, "empty error message")
    precondition(!error.description.contains(where: \.isNewline), "multi-line error: \(error)")
    return
  } catch {
    preconditionFailure("ModelFile threw a \(type(of: error)), not a TrainingFileError: \(error)")
  }
  guard let encoded = try? file.encoded() else { return }  // e.g. a repeated name is refused on encoding
  guard let again = try? ModelFile<Float>(decoding: encoded) else {
    preconditionFailure("a re-encoded model file does not decode")
  }
  precondition(again.entries.map(\.name) == file.entries.map(\.name), "round trip changed the models")
}

/// Runs `bytes` through the decoder and the invariants described at ``fuzz(_:_:)``.
func checkDecode(_ bytes: UnsafeRawBufferPointer) {
  let tensor: AnyTensor
  do {
    tensor = try NPY.decode(bytes, source: "fuzz-input")
  } catch let error as NPYError {
    precondition(error.path == "fuzz-input", "error names the wrong source: \(error)")
    precondition(!error.message.isEmpty, "empty error message")
    precondition(!error.description.contains(where: \.isNewline), "multi-line error: \(error)")
    return
  } catch {
    preconditionFailure("NPY.decode threw a \(type(of: error)), not an NPYError: \(error)")
  }

  var count = 1
  for d in tensor.shape {
    precondition(d >= 0, "negative dimension in \(tensor.shape)")
    count = count.multipliedReportingOverflow(by: d).partialValue
  }
  precondition(
    count == bitPatterns(tensor).count, "element count \(bitPatterns(tensor).count) ≠ product of \(tensor.shape)")

  let encoded = NPY.encode(tensor)
  let again: AnyTensor
  do {
    again = try encoded.withUnsafeBytes { try NPY.decode($0, source: "re-encoded") }
  } catch {
    preconditionFailure("re-encoded file does not decode: \(error)")
  }
  precondition(
    again.shape == tensor.shape && again.dtypeName == tensor.dtypeName, "round trip changed the shape or type")
  precondition(bitPatterns(again) == bitPatterns(tensor), "round trip changed the values")
  precondition(NPY.encode(again) == encoded, "encoding is not deterministic")
  _ = firstNonFiniteIndex(tensor.converted(to: Double.self))
}

/// The elements' bit patterns, so that NaNs compare equal to themselves.
func bitPatterns(_ t: AnyTensor) -> [UInt64] {
  switch t {
  case .float16(let x): x.scalars.map { UInt64($0.bitPattern) }
  case .float32(let x): x.scalars.map { UInt64($0.bitPattern) }
  case .float64(let x): x.scalars.map { $0.bitPattern }
  }
}
