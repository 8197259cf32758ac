// The streamed losses' gradient GEMM: dispatch to the packed micro-kernel of the CPU's family
// (gemm_accumulate_template.h), with the query panel width that family's GEMM uses.
#include <stdlib.h>
#include "../gemm/internal.h"
#include "ck_loss.h"
#pragma clang fp contract(off)

/// The same chains one scalar at a time: the fallback when the packing buffers cannot be
/// allocated.
#define LG_SCALAR(T, fresh, m, n, k, a, rs, cs, b, ldb, c, ldc)                            \
  for (int64_t i = 0; i < m; i++)                                                         \
    for (int64_t j = 0; j < n; j++) {                                                     \
      T s = fresh ? 0 : c[i * ldc + j];                                                   \
      for (int64_t p = 0; p < k; p++) s = __builtin_elementwise_fma(a[i * rs + p * cs], b[p * ldb + j], s); \
      c[i * ldc + j] = s;                                                                 \
    }

static void gemm_f32(int fresh, int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                     const float *b, int64_t ldb, float *c, int64_t ldc) {
  int r = -1;
#if defined(__x86_64__)
  const int level = ck_level();
  if (level == 2) r = ck_gemm_acc_f32_avx512(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, ck_query_width_f32(32), fresh);
  else if (level == 1) r = ck_gemm_acc_f32_avx2(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, ck_query_width_f32(16), fresh);
  else
#endif
    r = ck_gemm_acc_f32_portable(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, ck_query_width_f32(16), fresh);
  if (r != 0) LG_SCALAR(float, fresh, m, n, k, a, a_rs, a_cs, b, ldb, c, ldc)
}

static void gemm_f64(int fresh, int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs,
                     int64_t a_cs, const double *b, int64_t ldb, double *c, int64_t ldc) {
  int r = -1;
#if defined(__x86_64__)
  const int level = ck_level();
  if (level == 2) r = ck_gemm_acc_f64_avx512(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, ck_query_width_f64(16), fresh);
  else if (level == 1) r = ck_gemm_acc_f64_avx2(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, ck_query_width_f64(8), fresh);
  else
#endif
    r = ck_gemm_acc_f64_portable(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, ck_query_width_f64(8), fresh);
  if (r != 0) LG_SCALAR(double, fresh, m, n, k, a, a_rs, a_cs, b, ldb, c, ldc)
}

void ck_loss_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                      const float *b, int64_t ldb, float *c, int64_t ldc) {
  gemm_f32(0, m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

void ck_loss_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs,
                      int64_t a_cs, const double *b, int64_t ldb, double *c, int64_t ldc) {
  gemm_f64(0, m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

void ck_matmul_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                   const float *b, int64_t ldb, float *c, int64_t ldc) {
  gemm_f32(1, m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

void ck_matmul_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs, int64_t a_cs,
                   const double *b, int64_t ldb, double *c, int64_t ldc) {
  gemm_f64(1, m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}
