import CCosineKernels

/// Keeps glibc's malloc to one arena when the address space is limited (`ulimit -v`,
/// `prlimit --as`).
///
/// glibc gives threads that allocate at the same moment arenas of their own, and each new arena
/// reserves 64 MiB of address space at once. Under an address-space limit that reservation is
/// not seen by `MemoryBudget` before it happens, so whether a run fits would depend on how the
/// worker threads happened to meet. With one arena the address space grows only with what is
/// really allocated, and the budget's sizes hold. Without a limit nothing changes.
enum MallocArenas {
  static func limitUnderAddressSpaceLimit() {
    _ = ck_limit_malloc_arenas_under_address_limit()
  }
}
