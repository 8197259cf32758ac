#include "internal.h"
#if defined(__linux__)
#include <sys/mman.h>
#endif

static int detected = -1;
static int limit = 2;

static int detect(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
    return 2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("f16c"))
    return 1;
#endif
  return 0;
}

static int hardware(void) {
  int h = __atomic_load_n(&detected, __ATOMIC_RELAXED);
  if (h < 0) {
    h = detect();
    __atomic_store_n(&detected, h, __ATOMIC_RELAXED);
  }
  return h;
}

int cg_level(void) {
  int h = hardware(), l = __atomic_load_n(&limit, __ATOMIC_RELAXED);
  return h < l ? h : l;
}

void cg_set_level_limit(int level) {
  __atomic_store_n(&limit, level < 0 ? 0 : (level > 2 ? 2 : level), __ATOMIC_RELAXED);
}

int cg_uses_avx512(void) { return cg_level() == 2; }

int64_t cg_panel_width_f32(void) { return cg_level() == 2 ? 32 : 16; }
int64_t cg_panel_width_f64(void) { return cg_level() == 2 ? 16 : 8; }

int64_t cg_query_width_f32(int64_t bw) { return bw == 32 ? 14 : (cg_level() >= 1 ? 6 : 4); }
int64_t cg_query_width_f64(int64_t bw) { return bw == 16 ? 14 : (cg_level() >= 1 ? 6 : 4); }

// The kernel follows the data: a panel width only one family produces selects that family
// (the CPU had it when the data was packed). Width 16 / 8 runs on AVX2 when allowed.
void cg_gemm_f32(const float *a, int64_t m, int64_t aw, const float *b, int64_t bw, int64_t n,
                 int64_t d, float *c, int64_t ldc) {
#if defined(__x86_64__)
  if (bw == 32) return cg_gemm_f32_avx512(a, m, aw, b, n, d, c, ldc);
  if (bw == 16 && cg_level() >= 1) return cg_gemm_f32_avx2(a, m, aw, b, n, d, c, ldc);
#endif
  if (bw == 16) cg_gemm_f32_portable(a, m, aw, b, n, d, c, ldc);
}

void cg_gemm_f64(const double *a, int64_t m, int64_t aw, const double *b, int64_t bw, int64_t n,
                 int64_t d, double *c, int64_t ldc) {
#if defined(__x86_64__)
  if (bw == 16) return cg_gemm_f64_avx512(a, m, aw, b, n, d, c, ldc);
  if (bw == 8 && cg_level() >= 1) return cg_gemm_f64_avx2(a, m, aw, b, n, d, c, ldc);
#endif
  if (bw == 8) cg_gemm_f64_portable(a, m, aw, b, n, d, c, ldc);
}

void cg_search_f32(const float *a, int64_t m, int64_t aw, const float *b, int64_t bw,
                   int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset,
                   cg_heaps_f32 h) {
#if defined(__x86_64__)
  if (bw == 32) return cg_search_f32_avx512(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
  if (bw == 16 && cg_level() >= 1)
    return cg_search_f32_avx2(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
#endif
  if (bw == 16) cg_search_f32_portable(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
}

void cg_search_f64(const double *a, int64_t m, int64_t aw, const double *b, int64_t bw,
                   int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset,
                   cg_heaps_f64 h) {
#if defined(__x86_64__)
  if (bw == 16) return cg_search_f64_avx512(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
  if (bw == 8 && cg_level() >= 1)
    return cg_search_f64_avx2(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
#endif
  if (bw == 8) cg_search_f64_portable(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
}

void cg_advise_huge_pages(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const uintptr_t huge = (uintptr_t)2 << 20;
  if (!p || bytes < 2 * huge) return;
  const uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
  const uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
  if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

void cg_sort_heaps_f32(cg_heaps_f32 h, int64_t m) { cg_sort_heaps_f32_portable(h, m); }
void cg_sort_heaps_f64(cg_heaps_f64 h, int64_t m) { cg_sort_heaps_f64_portable(h, m); }

void cg_search_split_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi,
                         const uint16_t *lo, int64_t bw, int64_t first_row, int64_t rows,
                         int64_t n_valid, int64_t d, cg_heaps_f32 h) {
#if defined(__x86_64__)
  if (bw == 32) return cg_search_split_f32_avx512(a, m, aw, hi, lo, first_row, rows, n_valid, d, 0, h);
  if (bw == 16 && cg_level() >= 1)
    return cg_search_split_f32_avx2(a, m, aw, hi, lo, first_row, rows, n_valid, d, 0, h);
#endif
  if (bw == 16) cg_search_split_f32_portable(a, m, aw, hi, lo, first_row, rows, n_valid, d, 0, h);
}

int64_t cg_prefilter_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi, int64_t bw,
                         int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, float slack,
                         cg_heaps_f32 h, int64_t *flagged, float *flagged_max) {
#if defined(__x86_64__)
  if (bw == 32)
    return cg_prefilter_f32_avx512(a, m, aw, hi, first_row, rows, n_valid, d, slack, h, flagged, flagged_max);
  if (bw == 16 && cg_level() >= 1)
    return cg_prefilter_f32_avx2(a, m, aw, hi, first_row, rows, n_valid, d, slack, h, flagged, flagged_max);
#endif
  if (bw == 16)
    return cg_prefilter_f32_portable(a, m, aw, hi, first_row, rows, n_valid, d, slack, h, flagged, flagged_max);
  return 0;
}
