#ifndef CG_INTERNAL_H
#define CG_INTERNAL_H
#include "../cpu/cpu_features.h"
#include "ck_gemm.h"
#include "ck_status.h"

// Kernel families. Each is compiled with its own target attributes; `gemm_dispatch.c` picks one per
// call from the panel width of the data and the CPU.
#define CG_DECLARE(SUF, T, HEAPS)                                                              \
  void ck_gemm_##SUF(const T *a, int64_t m, int64_t aw, const T *b, int64_t n, int64_t d, T *c, \
                     int64_t ldc);                                                             \
  int ck_search_##SUF(const T *a, int64_t m, int64_t aw, const T *b, int64_t first_row,         \
                      int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset, HEAPS h);  \
  int ck_gemm_acc_##SUF(int64_t m, int64_t n, int64_t k, const T *a, int64_t rs, int64_t cs,    \
                        const T *b, int64_t ldb, T *c, int64_t ldc, int64_t mr, int fresh);

CG_DECLARE(f32_avx512, float, ck_heaps_f32)
CG_DECLARE(f64_avx512, double, ck_heaps_f64)
CG_DECLARE(f32_avx2, float, ck_heaps_f32)
CG_DECLARE(f64_avx2, double, ck_heaps_f64)
CG_DECLARE(f32_portable, float, ck_heaps_f32)
CG_DECLARE(f64_portable, double, ck_heaps_f64)

#define CG_DECLARE_SPLIT(SUF)                                                                    \
  int ck_search_split_f32_##SUF(const float *a, int64_t m, int64_t aw, const uint16_t *hi,        \
                                 const uint16_t *lo, int64_t first_row, int64_t rows,              \
                                 int64_t n_valid, int64_t d, int64_t id_offset, ck_heaps_f32 h);   \
  int64_t ck_prefilter_f32_##SUF(const float *a, int64_t m, int64_t aw, const uint16_t *hi,        \
                                 int64_t first_row, int64_t rows, int64_t n_valid, int64_t d,      \
                                 float slack, ck_heaps_f32 h, int64_t *flagged, float *flagged_max);
CG_DECLARE_SPLIT(avx512)
CG_DECLARE_SPLIT(avx2)
CG_DECLARE_SPLIT(portable)

/// Where row r of a split panel of width w is stored: the order in which unpacking the low and
/// high 16-bit halves (within 128-bit lanes, as vpunpck{l,h}wd do) yields rows 0..w/2−1 from
/// the "low" unpack and w/2..w−1 from the "high" one.
static inline int64_t ck_split_slot(int64_t r, int64_t w) {
  const int64_t half = w / 2, rr = r % half;
  return 8 * (rr / 4) + rr % 4 + (r >= half ? 4 : 0);
}

void ck_sumsq_f32_avx512(const float *x, int64_t rows, int64_t d, double *out);
void ck_sumsq_f16_avx512(const uint16_t *x, int64_t rows, int64_t d, double *out);
void ck_split_panels_f32_avx512(const float *panels, int64_t npanels, int64_t d, uint16_t *hi, uint16_t *lo);
void ck_pack_f32_avx512(const float *x, int64_t rows, int64_t d, const double *post, int64_t w,
                        float *dest);

#define CG_AVX512_FEATURES CK_AVX512_FEATURES
#define CG_AVX2_FEATURES CK_AVX2_FEATURES
#endif
