#include "internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang fp contract(off)

#define ATTR __attribute__((target(CG_AVX512_FEATURES)))

// Partial sums as in pack.c: lane j of accumulator v holds elements k ≡ 8v + j (mod 32).
static inline ATTR double reduce4(__m512d a0, __m512d a1, __m512d a2, __m512d a3) {
  __m512d s0 = _mm512_add_pd(a0, a2), s1 = _mm512_add_pd(a1, a3);  // p[j] + p[j + 16]
  __m512d s = _mm512_add_pd(s0, s1);                                 // p[j] + p[j + 8]
  __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(s), _mm512_extractf64x4_pd(s, 1));
  __m128d q = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
  return _mm_cvtsd_f64(_mm_add_sd(q, _mm_unpackhi_pd(q, q)));
}

ATTR void ck_sumsq_f32_avx512(const float *x, int64_t rows, int64_t d, double *out) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    int64_t k = 0;
    for (; k + 32 <= d; k += 32) {
      __m512 u = _mm512_loadu_ps(xr + k), v = _mm512_loadu_ps(xr + k + 16);
      __m512d x0 = _mm512_cvtps_pd(_mm512_castps512_ps256(u));
      __m512d x1 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
      __m512d x2 = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
      __m512d x3 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
      a0 = _mm512_add_pd(a0, _mm512_mul_pd(x0, x0));
      a1 = _mm512_add_pd(a1, _mm512_mul_pd(x1, x1));
      a2 = _mm512_add_pd(a2, _mm512_mul_pd(x2, x2));
      a3 = _mm512_add_pd(a3, _mm512_mul_pd(x3, x3));
    }
    if (k < d) {
      const int64_t t = d - k;
      const __mmask16 m0 = (__mmask16)(t >= 16 ? 0xffff : ((1u << t) - 1));
      const __mmask16 m1 = (__mmask16)(t <= 16 ? 0 : (t >= 32 ? 0xffff : ((1u << (t - 16)) - 1)));
      __m512 u = _mm512_maskz_loadu_ps(m0, xr + k), v = _mm512_maskz_loadu_ps(m1, xr + k + 16);
      __m512d x0 = _mm512_cvtps_pd(_mm512_castps512_ps256(u));
      __m512d x1 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
      __m512d x2 = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
      __m512d x3 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
      a0 = _mm512_add_pd(a0, _mm512_mul_pd(x0, x0));
      a1 = _mm512_add_pd(a1, _mm512_mul_pd(x1, x1));
      a2 = _mm512_add_pd(a2, _mm512_mul_pd(x2, x2));
      a3 = _mm512_add_pd(a3, _mm512_mul_pd(x3, x3));
    }
    out[r] = reduce4(a0, a1, a2, a3);
  }
}

ATTR void ck_sumsq_f16_avx512(const uint16_t *x, int64_t rows, int64_t d, double *out) {
  for (int64_t r = 0; r < rows; r++) {
    const uint16_t *xr = x + r * d;
    __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t k = 0; k < d; k += 32) {
      const int64_t t = d - k;
      const __mmask32 m = t >= 32 ? 0xffffffffu : ((1u << t) - 1);
      __m512i h = _mm512_maskz_loadu_epi16(m, xr + k);
      __m512 u = _mm512_cvtph_ps(_mm512_castsi512_si256(h));
      __m512 v = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1));
      __m512d x0 = _mm512_cvtps_pd(_mm512_castps512_ps256(u));
      __m512d x1 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
      __m512d x2 = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
      __m512d x3 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
      a0 = _mm512_add_pd(a0, _mm512_mul_pd(x0, x0));
      a1 = _mm512_add_pd(a1, _mm512_mul_pd(x1, x1));
      a2 = _mm512_add_pd(a2, _mm512_mul_pd(x2, x2));
      a3 = _mm512_add_pd(a3, _mm512_mul_pd(x3, x3));
    }
    out[r] = reduce4(a0, a1, a2, a3);
  }
}

// Normalizes 16 floats: (float)((double)x · f), as the portable packer.
static inline ATTR __m512 scale16(__m512 u, __m512d f) {
  __m512d lo = _mm512_mul_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(u)), f);
  __m512d hi = _mm512_mul_pd(
      _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1))), f);
  return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
}

ATTR void ck_pack_f32_avx512(const float *x, int64_t rows, int64_t d, const double *post,
                             int64_t w, float *dest) {
  const int64_t panels = (rows + w - 1) / w;
  float buf[16 * 16];
  for (int64_t p = 0; p < panels; p++) {
    float *dp = dest + p * w * d;
    const int64_t r0 = p * w, n = rows - r0 < w ? rows - r0 : w;
    // 16 rows × 16 columns at a time: normalize, then transpose through a small buffer.
    for (int64_t rb = 0; rb < w; rb += 16) {
      const int64_t nr = n - rb < 16 ? (n - rb > 0 ? n - rb : 0) : 16;
      const int64_t wr = w - rb < 16 ? w - rb : 16;
      for (int64_t k = 0; k < d; k += 16) {
        const int64_t t = d - k < 16 ? d - k : 16;
        const __mmask16 m = (__mmask16)(t == 16 ? 0xffff : ((1u << t) - 1));
        for (int64_t r = 0; r < nr; r++) {
          __m512 u = _mm512_maskz_loadu_ps(m, x + (r0 + rb + r) * d + k);
          _mm512_storeu_ps(buf + r * 16, scale16(u, _mm512_set1_pd(post[r0 + rb + r])));
        }
        for (int64_t r = nr; r < 16; r++) _mm512_storeu_ps(buf + r * 16, _mm512_setzero_ps());
        // buf[r][c] → dp[(k + c)·w + rb + r]
        for (int64_t c = 0; c < t; c++) {
          __m512 col = _mm512_i32gather_ps(
              _mm512_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240),
              buf + c, 4);
          _mm512_mask_storeu_ps(dp + (k + c) * w + rb, (__mmask16)((1u << wr) - 1), col);
        }
      }
    }
  }
}
/// ck_split_panels_f32 for panels of width 32: per row of a panel, the two vectors of rows 0-15
/// and 16-31 become the high and the low halves in the slot order of ck_split_slot, which is
/// that of vpackusdw (per 128-bit lane, four values of the first vector, then four of the
/// second); the values packed are 16-bit, so the packing never saturates.
ATTR void ck_split_panels_f32_avx512(const float *panels, int64_t npanels, int64_t d, uint16_t *hi, uint16_t *lo) {
  const __m512i low16 = _mm512_set1_epi32(0xffff);
  for (int64_t row = 0; row < npanels * d; row++) {
    const __m512i a = _mm512_loadu_si512((const void *)(panels + row * 32));
    const __m512i b = _mm512_loadu_si512((const void *)(panels + row * 32 + 16));
    const __m512i h = _mm512_packus_epi32(_mm512_srli_epi32(a, 16), _mm512_srli_epi32(b, 16));
    const __m512i l = _mm512_packus_epi32(_mm512_and_si512(a, low16), _mm512_and_si512(b, low16));
    _mm512_storeu_si512((void *)(hi + row * 32), h);
    _mm512_storeu_si512((void *)(lo + row * 32), l);
  }
}
#endif
