import CCosineKernels
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The malloc arena limit that keeps address-space use predictable under `ulimit -v`
/// (`memory/malloc_arenas.c`).
@Suite struct MallocArenasTests {
  /// On glibc the limit is compiled in. It once was not: `__GLIBC__` was tested before any header
  /// defined it, the function compiled to `return 0`, and runs under an address-space limit
  /// failed or passed by where the kernel placed a new arena's 64 MiB reservation.
  @Test func limitIsCompiledInOnGlibc() {
    #if canImport(Glibc)
      #expect(ck_malloc_arena_limit_is_supported() == 1)
    #else
      #expect(ck_malloc_arena_limit_is_supported() == 0)
    #endif
  }

  /// Without an address-space limit the setting is left alone (the test process has none).
  @Test func noLimitLeavesMallocAlone() {
    var r = rlimit()
    #if canImport(Glibc)
      getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &r)
    #else
      getrlimit(RLIMIT_AS, &r)
    #endif
    if r.rlim_cur == rlim_t.max {  // RLIM_INFINITY
      #expect(ck_limit_malloc_arenas_under_address_limit() == 0)
    }
  }
}
