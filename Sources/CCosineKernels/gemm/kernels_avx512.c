#include <stdlib.h>
#include "internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#include "gemm_microkernel_avx512.h"
#pragma clang fp contract(off)

#define CG_ATTR __attribute__((target(CG_AVX512_FEATURES)))
#define CG_MR 16

#define CG_T float
#define CG_VL 16
#define CG_NRV 2
#define CG_FN(x) x##_f32_avx512
#define CG_TK(x) x##_f32
#define CG_HEAPS ck_heaps_f32
// Split panels: vpunpck{l,h}wd of (low halves, high halves) rebuilds the floats of rows 0-15
// and 16-31 (see ck_split_slot).
#define CG_SPLIT_LOAD(bv, hp, lp)                                                           \
  do {                                                                                      \
    const __m512i h_ = _mm512_loadu_si512((const void *)(hp));                              \
    const __m512i l_ = _mm512_loadu_si512((const void *)(lp));                              \
    (bv)[0] = (CG_FN(vec))_mm512_castsi512_ps(_mm512_unpacklo_epi16(l_, h_));              \
    (bv)[1] = (CG_FN(vec))_mm512_castsi512_ps(_mm512_unpackhi_epi16(l_, h_));              \
  } while (0)
#define CG_APPROX_LOAD(bv, hp)                                                              \
  do {                                                                                      \
    const __m512i h_ = _mm512_loadu_si512((const void *)(hp));                              \
    const __m512i z_ = _mm512_setzero_si512();                                              \
    (bv)[0] = (CG_FN(vec))_mm512_castsi512_ps(_mm512_unpacklo_epi16(z_, h_));              \
    (bv)[1] = (CG_FN(vec))_mm512_castsi512_ps(_mm512_unpackhi_epi16(z_, h_));              \
  } while (0)
#define CG_MICRO_ASM(mr, kc, a, b, c, ldc, flags) \
  ((mr) == 14 ? (ck_micro14x32_f32((kc), (a), (b), (c), (ldc), (flags)), 1) : 0)
#include "gemm_template.h"
#undef CG_MICRO_ASM
#undef CG_SPLIT_LOAD
#undef CG_APPROX_LOAD
#undef CG_T
#undef CG_VL
#undef CG_NRV
#undef CG_FN
#undef CG_TK
#undef CG_HEAPS

#define CG_T double
#define CG_VL 8
#define CG_NRV 2
#define CG_FN(x) x##_f64_avx512
#define CG_TK(x) x##_f64
#define CG_HEAPS ck_heaps_f64
#include "gemm_template.h"
#endif
