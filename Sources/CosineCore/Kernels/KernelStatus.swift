import CCosineKernels

/// Checks the status a C kernel of `CCosineKernels` returned (`ck_status.h`).
///
/// The kernels that can fail (a scratch allocation, a panel width this CPU has no kernel for)
/// return a status instead of returning silently with their output unwritten. Their callers run
/// inside parallel loops on buffers the library sized and packed itself, so a failure is either
/// memory exhaustion or packed data from another CPU reaching a kernel: it stops the process
/// with a message naming the kernel and the reason rather than going on with unwritten results.
///
/// - Parameters:
///   - status: the returned code, `CK_OK` (0) on success.
///   - kernel: the C function's name, for the message.
/// - Complexity: O(1).
/// - **Edge cases**: a non-zero status traps (`fatalError`) with one line naming `kernel`.
@inline(__always)
package func checkKernelStatus(_ status: Int32, _ kernel: StaticString) {
  if _slowPath(status != 0) { kernelFailed(status, kernel) }
}

/// The trap of `checkKernelStatus`, out of line.
@inline(never)
package func kernelFailed(_ status: Int32, _ kernel: StaticString) -> Never {
  let reason =
    switch Int(status) {
    case CK_ERROR_ALLOCATION: "out of memory for its scratch buffer"
    case CK_ERROR_PANEL_WIDTH: "no kernel of this CPU reads this panel or query width (data packed on another CPU?)"
    default: "status \(status)"
    }
  fatalError("CosineKit: C kernel \(kernel) failed: \(reason)")
}
