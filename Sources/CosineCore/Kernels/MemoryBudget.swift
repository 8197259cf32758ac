#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The memory a single allocation may take, and the overflow-checked size arithmetic that is
/// compared with it **before** anything is allocated.
///
/// Every array CosineKit allocates whose size comes from its inputs (broadcast results, per-row
/// working arrays, similarity matrices, search results, packed corpora, `.npy` data, layer
/// weights) is first sized here: the byte count is computed with overflow checks and compared
/// with ``availableBytes``. Too big is a thrown ``CosineError/invalidShape(_:)`` that names the
/// shapes and the bytes needed, never a crash in the allocator or an overflow trap.
///
/// **Edge cases:** a zero-byte request always passes. The limit is per allocation: several
/// allocations that each pass can together still exceed the memory of the machine.
public enum MemoryBudget {
  /// The largest single allocation CosineKit attempts, in bytes:
  /// `min(physical memory, RLIMIT_AS − current address space, RLIMIT_DATA − current address space)`,
  /// where the resource limits count only when set (soft limits, as `ulimit -v` / `prlimit --as`
  /// set them). The limits are read at each call, so a limit set at run time is honoured.
  ///
  /// - Complexity: two `getrlimit` calls; when a limit is set, also a read of `/proc/self/statm`.
  public static var availableBytes: Int {
    var limit = physicalBytes
    var used: Int?  // read only when a limit is set
    #if canImport(Glibc) || canImport(Musl)
      for resource in [RLIMIT_AS, RLIMIT_DATA] {
        var r = rlimit()
        #if canImport(Glibc)
          let ok = getrlimit(__rlimit_resource_t(resource.rawValue), &r) == 0
        #else
          let ok = getrlimit(resource, &r) == 0
        #endif
        if ok, r.rlim_cur < UInt64(Int.max) {  // RLIM_INFINITY is all ones
          let u = used ?? addressSpaceBytes
          used = u
          limit = Swift.min(limit, Swift.max(0, Int(r.rlim_cur) - u))
        }
      }
    #endif
    return limit
  }

  /// Physical memory of the machine in bytes, or the memory limit of the process's control
  /// group (cgroup v2 `memory.max` or v1 `memory.limit_in_bytes`, as containers set them) when
  /// that is smaller; `Int.max` when neither can be read. Read once.
  public static let physicalBytes: Int = {
    let pages = sysconf(Int32(_SC_PHYS_PAGES))
    let size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, size > 0 else { return cgroupLimit ?? Int.max }
    let (b, o) = pages.multipliedReportingOverflow(by: size)
    return Swift.min(o ? Int.max : b, cgroupLimit ?? Int.max)
  }()

  /// The memory limit of this process's control group, if one is set: cgroup v2 `memory.max`
  /// (not "max") or cgroup v1 `memory.limit_in_bytes`, looked up under the group's path and, in
  /// a container whose group is mounted as the root, at the root.
  package static var cgroupLimit: Int? {
    #if os(Linux)
      guard let groups = smallFile("/proc/self/cgroup") else { return nil }
      var candidates: [String] = []
      for line in groups.split(separator: "\n") {
        // "id:controllers:path"
        let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { continue }
        let group = parts[2]
        if parts[0] == "0" && parts[1].isEmpty {
          candidates += ["/sys/fs/cgroup" + group + "/memory.max", "/sys/fs/cgroup/memory.max"]
        } else if parts[1].split(separator: ",").contains("memory") {
          candidates += [
            "/sys/fs/cgroup/memory" + group + "/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
          ]
        }
      }
      let limits = candidates.compactMap { smallFile($0).flatMap { Int($0.split(separator: "\n").first ?? "") } }
      return limits.min()
    #else
      return nil
    #endif
  }

  /// The first 4 KiB of a small text file (under /proc or /sys), or nil.
  package static func smallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { _ = close(fd) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return nil }
    return String(decoding: buffer[0..<n], as: UTF8.self)
  }

  /// The process's current virtual address space in bytes (0 where it cannot be read).
  package static var addressSpaceBytes: Int {
    #if os(Linux)
      let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { return 0 }
      defer { _ = close(fd) }
      var buffer = [UInt8](repeating: 0, count: 64)
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { return 0 }
      var pages = 0
      for c in buffer[0..<n] {
        guard c >= 48, c <= 57 else { break }
        pages = pages &* 10 &+ Int(c - 48)
      }
      return pages &* Int(sysconf(Int32(_SC_PAGESIZE)))
    #else
      return 0
    #endif
  }

  /// `count · elementSize` bytes, or `nil` if the product overflows or `count` is negative.
  public static func bytes(count: Int, elementSize: Int) -> Int? {
    guard count >= 0, elementSize >= 0 else { return nil }
    let (b, o) = count.multipliedReportingOverflow(by: elementSize)
    return o ? nil : b
  }

  /// `bytes` as text: `"1.2 GB (1200000000 bytes)"`.
  public static func describe(bytes: Int) -> String {
    let units = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
    for (scale, name) in units where Double(bytes) >= scale {
      let v = (Double(bytes) / scale * 10).rounded() / 10
      return "\(v) \(name) (\(bytes) bytes)"
    }
    return "\(bytes) bytes"
  }

  /// Checks that an allocation of `count` elements of `elementSize` bytes may be attempted.
  ///
  /// - Parameters:
  ///   - count: Elements (a product of dimensions the caller computed with overflow checks; pass
  ///     `nil` if that product overflowed).
  ///   - elementSize: Bytes per element.
  ///   - what: What is allocated, for the message: e.g. `"the result [100000, 100000] of
  ///     similarity of [100000, 1, 8] and [1, 100000, 8]"`.
  /// - Throws: ``CosineError/invalidShape(_:)``: "`what` needs N bytes, more than the M bytes of
  ///   memory available" (or "more bytes than fit in a 64-bit size" on overflow).
  public static func check(count: Int?, elementSize: Int, _ what: @autoclosure () -> String) throws {
    guard let count, let b = bytes(count: count, elementSize: elementSize) else {
      throw CosineError.invalidShape("\(what()) needs more bytes than fit in a 64-bit size")
    }
    try check(bytes: b, what())
  }

  /// Checks that an allocation of `bytes` bytes may be attempted (see ``availableBytes``).
  ///
  /// - Throws: ``CosineError/invalidShape(_:)`` naming `what` and both byte counts.
  /// - Complexity: O(1); requests up to 1 MiB return without a system call, larger ones cost
  ///   about 1.5 µs (10 µs when an address-space limit is set).
  ///
  /// **Edge cases:** 0 bytes and small requests always pass.
  public static func check(bytes: Int, _ what: @autoclosure () -> String) throws {
    guard bytes > 1 << 20 else { return }  // small requests: no system calls
    let available = availableBytes
    guard bytes <= available else {
      throw CosineError.invalidShape(
        "\(what()) needs \(describe(bytes: bytes)), more than the \(describe(bytes: available)) of memory available")
    }
  }

  /// The element count of `shape`, or `nil` if it overflows (negative dimensions also give `nil`).
  public static func elementCount(_ shape: [Int]) -> Int? {
    guard shape.allSatisfy({ $0 >= 0 }) else { return nil }
    if shape.contains(0) { return 0 }
    var n = 1
    for d in shape {
      guard d >= 0 else { return nil }
      let (p, o) = n.multipliedReportingOverflow(by: d)
      if o { return nil }
      n = p
    }
    return n
  }
}
