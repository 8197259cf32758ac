// Huge-page advice for large buffers (see ck_memory.h).
#include "ck_memory.h"
#include <stdint.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

void ck_advise_huge_pages(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const uintptr_t huge = (uintptr_t)2 << 20;
  if (!p || bytes < 2 * huge) return;
  const uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
  const uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
  if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}
