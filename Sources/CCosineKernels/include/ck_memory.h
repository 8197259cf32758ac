#ifndef CK_MEMORY_H
#define CK_MEMORY_H
#include <stddef.h>

// Memory helpers of the kernels' callers: huge-page advice for large buffers and the malloc
// arena limit under an address-space limit.

#ifdef __cplusplus
extern "C" {
#endif

/// Asks the kernel to back the 2 MiB-aligned interior of [p, p + bytes) with huge pages
/// (Linux `madvise(MADV_HUGEPAGE)`; nothing elsewhere, nothing for NULL or under 4 MiB).
/// Large outputs and packed operands are written once, right after allocation: with 4 KiB pages
/// the page faults alone cost about as much as a GEMM of the same size in memory traffic.
/// Advice only: a refusal (no transparent huge pages) costs speed, never correctness.
void ck_advise_huge_pages(void *p, size_t bytes);

/// Under an address-space limit (RLIMIT_AS set, as `ulimit -v` does), restricts glibc's malloc to
/// one arena: each extra arena reserves 64 MiB of address space when threads allocate at the same
/// moment, which a memory budget computed beforehand cannot foresee. Returns 1 if it applied the
/// setting, 0 otherwise (no limit, or not glibc). Call once, before starting threads.
int ck_limit_malloc_arenas_under_address_limit(void);

/// 1 where ``ck_limit_malloc_arenas_under_address_limit`` can apply its setting (glibc), 0 where
/// it is a no-op (musl, other C libraries).
int ck_malloc_arena_limit_is_supported(void);

#ifdef __cplusplus
}
#endif
#endif
