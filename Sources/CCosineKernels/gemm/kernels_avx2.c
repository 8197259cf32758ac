#include <stdlib.h>
#include "internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang fp contract(off)

#define CG_ATTR __attribute__((target(CG_AVX2_FEATURES)))
#define CG_MR 16

#define CG_T float
#define CG_VL 8
#define CG_NRV 2
#define CG_FN(x) x##_f32_avx2
#define CG_TK(x) x##_f32
#define CG_HEAPS ck_heaps_f32
#define CG_SPLIT_LOAD(bv, hp, lp)                                                           \
  do {                                                                                      \
    const __m256i h_ = _mm256_loadu_si256((const __m256i *)(hp));                           \
    const __m256i l_ = _mm256_loadu_si256((const __m256i *)(lp));                           \
    (bv)[0] = (CG_FN(vec))_mm256_castsi256_ps(_mm256_unpacklo_epi16(l_, h_));              \
    (bv)[1] = (CG_FN(vec))_mm256_castsi256_ps(_mm256_unpackhi_epi16(l_, h_));              \
  } while (0)
#define CG_APPROX_LOAD(bv, hp)                                                              \
  do {                                                                                      \
    const __m256i h_ = _mm256_loadu_si256((const __m256i *)(hp));                           \
    const __m256i z_ = _mm256_setzero_si256();                                              \
    (bv)[0] = (CG_FN(vec))_mm256_castsi256_ps(_mm256_unpacklo_epi16(z_, h_));              \
    (bv)[1] = (CG_FN(vec))_mm256_castsi256_ps(_mm256_unpackhi_epi16(z_, h_));              \
  } while (0)
#include "gemm_template.h"
#undef CG_SPLIT_LOAD
#undef CG_APPROX_LOAD
#undef CG_T
#undef CG_VL
#undef CG_NRV
#undef CG_FN
#undef CG_TK
#undef CG_HEAPS

#define CG_T double
#define CG_VL 4
#define CG_NRV 2
#define CG_FN(x) x##_f64_avx2
#define CG_TK(x) x##_f64
#define CG_HEAPS ck_heaps_f64
#include "gemm_template.h"
#endif
