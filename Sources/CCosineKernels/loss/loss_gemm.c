// Instantiations and dispatch of the streaming losses' gradient GEMM (loss_gemm_template.h).
#include <stdlib.h>
#include "../gemm/internal.h"
#include "ck_loss.h"
#pragma clang fp contract(off)

#if defined(__x86_64__)
#define LG_ATTR __attribute__((target(CG_AVX512_FEATURES)))
#define LG_T float
#define LG_VL 16
#define LG_FN(x) x##_f32_avx512
#include "loss_gemm_template.h"
#undef LG_T
#undef LG_VL
#undef LG_FN
#define LG_T double
#define LG_VL 8
#define LG_FN(x) x##_f64_avx512
#include "loss_gemm_template.h"
#undef LG_T
#undef LG_VL
#undef LG_FN
#undef LG_ATTR

#define LG_ATTR __attribute__((target(CG_AVX2_FEATURES)))
#define LG_T float
#define LG_VL 8
#define LG_FN(x) x##_f32_avx2
#include "loss_gemm_template.h"
#undef LG_T
#undef LG_VL
#undef LG_FN
#define LG_T double
#define LG_VL 4
#define LG_FN(x) x##_f64_avx2
#include "loss_gemm_template.h"
#undef LG_T
#undef LG_VL
#undef LG_FN
#undef LG_ATTR
#endif

#define LG_ATTR
#define LG_T float
#define LG_VL 4
#define LG_FN(x) x##_f32_portable
#include "loss_gemm_template.h"
#undef LG_T
#undef LG_VL
#undef LG_FN
#define LG_T double
#define LG_VL 2
#define LG_FN(x) x##_f64_portable
#include "loss_gemm_template.h"
#undef LG_T
#undef LG_VL
#undef LG_FN
#undef LG_ATTR

void cg_loss_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                      const float *b, int64_t ldb, float *c, int64_t ldc) {
#if defined(__x86_64__)
  const int level = ck_level();
  if (level == 2) return cg_loss_gemm_f32_avx512(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
  if (level == 1) return cg_loss_gemm_f32_avx2(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
#endif
  cg_loss_gemm_f32_portable(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

void cg_loss_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs,
                      int64_t a_cs, const double *b, int64_t ldb, double *c, int64_t ldc) {
#if defined(__x86_64__)
  const int level = ck_level();
  if (level == 2) return cg_loss_gemm_f64_avx512(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
  if (level == 1) return cg_loss_gemm_f64_avx2(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
#endif
  cg_loss_gemm_f64_portable(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}
