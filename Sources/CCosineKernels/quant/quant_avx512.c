#include "quant_internal.h"
#if CK_X86
#include <immintrin.h>
#pragma clang fp contract(off)

#define CQ_ATTR __attribute__((target(CQ_VNNI_FEATURES)))

/// Lower and upper bounds of 16 rows from their integer dot products.
static inline __attribute__((always_inline)) CQ_ATTR void bounds16(
    __m512i acc, const float *inv_scale, const float *err, __m512i qbias, __m512 inv_t,
    __m512 phi, __m512 ahat, __m512 gamma, float *lower, float *upper) {
  const __m512 a = _mm512_mul_ps(
      _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc, qbias)), _mm512_loadu_ps(inv_scale)),
      inv_t);
  __m512 m = _mm512_add_ps(_mm512_add_ps(phi, _mm512_mul_ps(ahat, _mm512_loadu_ps(err))), gamma);
  m = _mm512_add_ps(_mm512_mul_ps(m, _mm512_set1_ps(CQ_MARGIN_FACTOR)), _mm512_set1_ps(CQ_MARGIN_FLOOR));
  _mm512_storeu_ps(lower, _mm512_sub_ps(a, m));
  _mm512_storeu_ps(upper, _mm512_add_ps(a, m));
}

// Panels of 32 rows: per column group, two 64-byte loads of codes (rows 0-15 and 16-31) and
// one broadcast of the query's 4 codes; vpdpbusd adds the four u8·s8 products of each lane.
CQ_ATTR void ck_scan_int8_vnni(const uint8_t *codes, const float *inv_scale, const float *err,
                               int64_t d, int64_t first_panel, int64_t panels, const int8_t *q,
                               int32_t qbias, float inv_t, float phi, float ahat, float gamma,
                               float *lower, float *upper) {
  const int64_t groups = (d + 3) / 4;
  const __m512i vb = _mm512_set1_epi32(qbias);
  const __m512 vt = _mm512_set1_ps(inv_t), vphi = _mm512_set1_ps(phi), va = _mm512_set1_ps(ahat),
               vg = _mm512_set1_ps(gamma);
  for (int64_t p = 0; p < panels; p++) {
    const uint8_t *pc = codes + (first_panel + p) * groups * 128;
    __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
    __m512i b0 = _mm512_setzero_si512(), b1 = _mm512_setzero_si512();
    int64_t g = 0;
    for (; g + 1 < groups; g += 2) {
      int32_t w0, w1;
      __builtin_memcpy(&w0, q + 4 * g, 4);
      __builtin_memcpy(&w1, q + 4 * g + 4, 4);
      const __m512i q0 = _mm512_set1_epi32(w0), q1 = _mm512_set1_epi32(w1);
      const uint8_t *c = pc + g * 128;
      a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512((const void *)c), q0);
      a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512((const void *)(c + 64)), q0);
      b0 = _mm512_dpbusd_epi32(b0, _mm512_loadu_si512((const void *)(c + 128)), q1);
      b1 = _mm512_dpbusd_epi32(b1, _mm512_loadu_si512((const void *)(c + 192)), q1);
    }
    if (g < groups) {
      int32_t w0;
      __builtin_memcpy(&w0, q + 4 * g, 4);
      const __m512i q0 = _mm512_set1_epi32(w0);
      const uint8_t *c = pc + g * 128;
      a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512((const void *)c), q0);
      a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512((const void *)(c + 64)), q0);
    }
    a0 = _mm512_add_epi32(a0, b0);
    a1 = _mm512_add_epi32(a1, b1);
    const int64_t row = (first_panel + p) * 32, o = p * 32;
    bounds16(a0, inv_scale + row, err + row, vb, vt, vphi, va, vg, lower + o, upper + o);
    bounds16(a1, inv_scale + row + 16, err + row + 16, vb, vt, vphi, va, vg, lower + o + 16,
             upper + o + 16);
  }
}

static inline __attribute__((always_inline)) CQ_ATTR __m512 clamp16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f), neg = _mm512_set1_ps(-1.0f);
  x = _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(x, one, _CMP_GT_OQ), one);
  x = _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(x, neg, _CMP_LT_OQ), neg);
  return x;
}

// Split panels of 32 rows: vpunpck{l,h}wd of (low, high halves) rebuild rows 0-15 and 16-31.
CQ_ATTR void ck_score_panels_avx512(const float *a, const uint16_t *hi, const uint16_t *lo,
                                    int64_t d, const int64_t *panels, int64_t count, float *out) {
  for (int64_t i = 0; i < count; i++) {
    const uint16_t *h = hi + panels[i] * 32 * d, *l = lo + panels[i] * 32 * d;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    for (int64_t k = 0; k < d; k++) {
      const __m512i hv = _mm512_loadu_si512((const void *)(h + k * 32));
      const __m512i lv = _mm512_loadu_si512((const void *)(l + k * 32));
      const __m512 x = _mm512_set1_ps(a[k]);
      acc0 = _mm512_fmadd_ps(x, _mm512_castsi512_ps(_mm512_unpacklo_epi16(lv, hv)), acc0);
      acc1 = _mm512_fmadd_ps(x, _mm512_castsi512_ps(_mm512_unpackhi_epi16(lv, hv)), acc1);
    }
    _mm512_storeu_ps(out + i * 32, clamp16(acc0));
    _mm512_storeu_ps(out + i * 32 + 16, clamp16(acc1));
  }
}
#endif
