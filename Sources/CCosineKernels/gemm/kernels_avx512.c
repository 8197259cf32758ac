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

/// Packs 16 columns of `mr` contiguous rows (row stride `rs`, 1 ≤ mr ≤ 16) into a query panel:
/// dst[p·mr + i] = src[i·rs + p] for p < 16, i < mr. A 16 × 16 transposition in registers (rows
/// past mr read as zeros), each column stored with a mask of mr lanes: the packing of A for the
/// accumulating GEMM when rows of A are contiguous (`matmul`, the dense layers' forward product),
/// which strided scalar stores made a tenth of the product's time.
static inline __attribute__((always_inline)) CG_ATTR void ck_acc_transpose16_f32(int mr, const float *src,
                                                                                 int64_t rs, float *dst) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; i++) r[i] = i < mr ? _mm512_loadu_ps(src + i * rs) : _mm512_setzero_ps();
  // Stage 1: pairs of rows interleaved by 32-bit lanes.
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  // Stage 2: 64-bit pairs of four rows.
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
  // Stages 3 and 4: 128-bit blocks of eight, then of all sixteen rows.
  for (int i = 0; i < 4; i++) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
  }
  for (int i = 0; i < 8; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  }
  // r[p] now holds column p of the 16 rows.
  const __mmask16 lanes = (__mmask16)((1u << mr) - 1u);
  for (int p = 0; p < 16; p++) _mm512_mask_storeu_ps(dst + p * mr, lanes, r[p]);
}
#define CG_ACC_TB 16
#define CG_ACC_TRANSPOSE(mr, src, rs, dst) ck_acc_transpose16_f32((mr), (src), (rs), (dst))
#include "gemm_template.h"
#undef CG_ACC_TRANSPOSE
#undef CG_ACC_TB
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
