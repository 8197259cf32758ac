// The per-core cache sizes the blocked kernels size their blocks from, probed once.
//
// Linux reports them through sysconf (glibc reads CPUID leaf 4 / 0x8000001D); where it reports
// nothing (0 or −1: other C libraries, unusual hypervisors), a common size is assumed. Values are
// clamped to a sane range so a bogus report cannot make a block empty or huge.
#include <unistd.h>
#include "cpu_features.h"

static long ck_l2_bytes_cached = 0;

/// sysconf(name) when it is within [lo, hi], `fallback` when it reports nothing, else clamped.
static long ck_probe(int name, long fallback, long lo, long hi) {
  long v = -1;
#if defined(__linux__)
  v = sysconf(name);
#else
  (void)name;
#endif
  if (v <= 0) v = fallback;
  return v < lo ? lo : (v > hi ? hi : v);
}

long ck_l2_cache_bytes(void) {
  long v = __atomic_load_n(&ck_l2_bytes_cached, __ATOMIC_RELAXED);
  if (__builtin_expect(v == 0, 0)) {
#if defined(_SC_LEVEL2_CACHE_SIZE)
    v = ck_probe(_SC_LEVEL2_CACHE_SIZE, 1L << 20, 256L << 10, 8L << 20);
#else
    v = ck_probe(0, 1L << 20, 256L << 10, 8L << 20);
#endif
    __atomic_store_n(&ck_l2_bytes_cached, v, __ATOMIC_RELAXED);
  }
  return v;
}
