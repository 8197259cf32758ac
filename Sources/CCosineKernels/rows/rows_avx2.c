// AVX2 + FMA + F16C kernels for x86-64 CPUs without AVX-512, enabled per function with a
// target attribute (no compiler flags) and selected by a run-time CPU check.
//
// Same structure and semantics as the AVX-512 kernels. AVX2 has no masked 16-bit loads or
// masked conversions, so the tail of a row (< 8 elements) goes through a small zero-padded
// buffer on the stack (memcpy in, full-width vector code, memcpy out).
#include "rows_internal.h"

#if CK_X86
#include <immintrin.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF  // keep mul/mul/sub unfused, as in the scalar path
#endif
#include <string.h>

#define CK_AVX2 __attribute__((target(CK_AVX2_FEATURES)))
#define CK_PH_ROUND (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

CK_AVX2 static inline __m256d ld4f(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
CK_AVX2 static inline __m256 ld8h(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

CK_AVX2 static inline double hsum_pd(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
CK_AVX2 static inline double hsum_ps_as_pd(__m256 v) {
  return hsum_pd(_mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
}

// ---------------------------------------------------------------------------------------------
// rowsums. f32: 8 floats per step as two 4-double halves, 2 accumulators per sum, 16 per loop.

CK_AVX2 static void rowsums_f32(const float *a, const float *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const float *pa = a + r * n, *pb = b + r * n;
    __m256d ab0 = _mm256_setzero_pd(), ab1 = ab0, aa0 = ab0, aa1 = ab0, bb0 = ab0, bb1 = ab0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      __m256d x0 = ld4f(pa + i), x1 = ld4f(pa + i + 4);
      __m256d y0 = ld4f(pb + i), y1 = ld4f(pb + i + 4);
      ab0 = _mm256_fmadd_pd(x0, y0, ab0); ab1 = _mm256_fmadd_pd(x1, y1, ab1);
      aa0 = _mm256_fmadd_pd(x0, x0, aa0); aa1 = _mm256_fmadd_pd(x1, x1, aa1);
      bb0 = _mm256_fmadd_pd(y0, y0, bb0); bb1 = _mm256_fmadd_pd(y1, y1, bb1);
    }
    if (i < n) {
      float ta[8] = {0}, tb[8] = {0};
      memcpy(ta, pa + i, (n - i) * sizeof(float));
      memcpy(tb, pb + i, (n - i) * sizeof(float));
      __m256d x0 = ld4f(ta), x1 = ld4f(ta + 4), y0 = ld4f(tb), y1 = ld4f(tb + 4);
      ab0 = _mm256_fmadd_pd(x0, y0, ab0); ab1 = _mm256_fmadd_pd(x1, y1, ab1);
      aa0 = _mm256_fmadd_pd(x0, x0, aa0); aa1 = _mm256_fmadd_pd(x1, x1, aa1);
      bb0 = _mm256_fmadd_pd(y0, y0, bb0); bb1 = _mm256_fmadd_pd(y1, y1, bb1);
    }
    out[3 * r + 0] = hsum_pd(_mm256_add_pd(ab0, ab1));
    out[3 * r + 1] = hsum_pd(_mm256_add_pd(aa0, aa1));
    out[3 * r + 2] = hsum_pd(_mm256_add_pd(bb0, bb1));
  }
}

CK_AVX2 static void rowsums_f64(const double *a, const double *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const double *pa = a + r * n, *pb = b + r * n;
    __m256d ab0 = _mm256_setzero_pd(), ab1 = ab0, aa0 = ab0, aa1 = ab0, bb0 = ab0, bb1 = ab0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      __m256d x0 = _mm256_loadu_pd(pa + i), x1 = _mm256_loadu_pd(pa + i + 4);
      __m256d y0 = _mm256_loadu_pd(pb + i), y1 = _mm256_loadu_pd(pb + i + 4);
      ab0 = _mm256_fmadd_pd(x0, y0, ab0); ab1 = _mm256_fmadd_pd(x1, y1, ab1);
      aa0 = _mm256_fmadd_pd(x0, x0, aa0); aa1 = _mm256_fmadd_pd(x1, x1, aa1);
      bb0 = _mm256_fmadd_pd(y0, y0, bb0); bb1 = _mm256_fmadd_pd(y1, y1, bb1);
    }
    if (i < n) {
      double ta[8] = {0}, tb[8] = {0};
      memcpy(ta, pa + i, (n - i) * sizeof(double));
      memcpy(tb, pb + i, (n - i) * sizeof(double));
      __m256d x0 = _mm256_loadu_pd(ta), x1 = _mm256_loadu_pd(ta + 4);
      __m256d y0 = _mm256_loadu_pd(tb), y1 = _mm256_loadu_pd(tb + 4);
      ab0 = _mm256_fmadd_pd(x0, y0, ab0); ab1 = _mm256_fmadd_pd(x1, y1, ab1);
      aa0 = _mm256_fmadd_pd(x0, x0, aa0); aa1 = _mm256_fmadd_pd(x1, x1, aa1);
      bb0 = _mm256_fmadd_pd(y0, y0, bb0); bb1 = _mm256_fmadd_pd(y1, y1, bb1);
    }
    out[3 * r + 0] = hsum_pd(_mm256_add_pd(ab0, ab1));
    out[3 * r + 1] = hsum_pd(_mm256_add_pd(aa0, aa1));
    out[3 * r + 2] = hsum_pd(_mm256_add_pd(bb0, bb1));
  }
}

CK_AVX2 static void rowsums_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const uint16_t *pa = a + r * n, *pb = b + r * n;
    __m256 ab0 = _mm256_setzero_ps(), ab1 = ab0, aa0 = ab0, aa1 = ab0, bb0 = ab0, bb1 = ab0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      __m256 x0 = ld8h(pa + i), x1 = ld8h(pa + i + 8), y0 = ld8h(pb + i), y1 = ld8h(pb + i + 8);
      ab0 = _mm256_fmadd_ps(x0, y0, ab0); ab1 = _mm256_fmadd_ps(x1, y1, ab1);
      aa0 = _mm256_fmadd_ps(x0, x0, aa0); aa1 = _mm256_fmadd_ps(x1, x1, aa1);
      bb0 = _mm256_fmadd_ps(y0, y0, bb0); bb1 = _mm256_fmadd_ps(y1, y1, bb1);
    }
    while (i < n) {  // at most two 8-wide steps, the last one zero-padded
      uint16_t ta[8] = {0}, tb[8] = {0};
      size_t k = n - i < 8 ? n - i : 8;
      memcpy(ta, pa + i, k * sizeof(uint16_t));
      memcpy(tb, pb + i, k * sizeof(uint16_t));
      __m256 x = ld8h(ta), y = ld8h(tb);
      ab0 = _mm256_fmadd_ps(x, y, ab0);
      aa0 = _mm256_fmadd_ps(x, x, aa0);
      bb0 = _mm256_fmadd_ps(y, y, bb0);
      i += k;
    }
    out[3 * r + 0] = hsum_ps_as_pd(_mm256_add_ps(ab0, ab1));
    out[3 * r + 1] = hsum_ps_as_pd(_mm256_add_ps(aa0, aa1));
    out[3 * r + 2] = hsum_ps_as_pd(_mm256_add_ps(bb0, bb1));
  }
}

// ---------------------------------------------------------------------------------------------
// rowgrad / rowscale: full-width steps, then one zero-padded step through stack buffers.

CK_AVX2 static inline __m256d lincomb_pd(__m256d c, __m256d y, __m256d d, __m256d x) {
  return _mm256_sub_pd(_mm256_mul_pd(c, y), _mm256_mul_pd(d, x));
}
CK_AVX2 static inline __m256 lincomb_ps(__m256 c, __m256 y, __m256 d, __m256 x) {
  return _mm256_sub_ps(_mm256_mul_ps(c, y), _mm256_mul_ps(d, x));
}
CK_AVX2 static inline __m256 cvt2x4pd_ps(__m256d lo, __m256d hi) {
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
}

// One full-width step: reads sa[0..8), sb[0..8), writes qa[0..8), qb[0..8) (either may be NULL).
CK_AVX2 static inline void grad8_f32(__m256d ca, __m256d da, __m256d cb, __m256d db,
                                     const float *sa, const float *sb, float *qa, float *qb) {
  __m256d x0 = ld4f(sa), x1 = ld4f(sa + 4), y0 = ld4f(sb), y1 = ld4f(sb + 4);
  if (qa) _mm256_storeu_ps(qa, cvt2x4pd_ps(lincomb_pd(ca, y0, da, x0), lincomb_pd(ca, y1, da, x1)));
  if (qb) _mm256_storeu_ps(qb, cvt2x4pd_ps(lincomb_pd(cb, x0, db, y0), lincomb_pd(cb, x1, db, y1)));
}

CK_AVX2 static void rowgrad_f32(const float *a, const float *b, size_t rows, size_t n, const double *coef,
                                float *ga, float *gb) {
  if (!ga && !gb) return;
  for (size_t r = 0; r < rows; r++) {
    const __m256d ca = _mm256_set1_pd(coef[4 * r + 0]), da = _mm256_set1_pd(coef[4 * r + 1]);
    const __m256d cb = _mm256_set1_pd(coef[4 * r + 2]), db = _mm256_set1_pd(coef[4 * r + 3]);
    const size_t base = r * n;
    const float *pa = a + base, *pb = b + base;
    float *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) grad8_f32(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL);
    if (i < n) {
      size_t k = n - i;
      float ta[8] = {0}, tb[8] = {0}, ua[8], ub[8];
      memcpy(ta, pa + i, k * sizeof(float));
      memcpy(tb, pb + i, k * sizeof(float));
      grad8_f32(ca, da, cb, db, ta, tb, qa ? ua : NULL, qb ? ub : NULL);
      if (qa) memcpy(qa + i, ua, k * sizeof(float));
      if (qb) memcpy(qb + i, ub, k * sizeof(float));
    }
  }
}

CK_AVX2 static inline void grad4_f64(__m256d ca, __m256d da, __m256d cb, __m256d db,
                                     const double *sa, const double *sb, double *qa, double *qb) {
  __m256d x = _mm256_loadu_pd(sa), y = _mm256_loadu_pd(sb);
  if (qa) _mm256_storeu_pd(qa, lincomb_pd(ca, y, da, x));
  if (qb) _mm256_storeu_pd(qb, lincomb_pd(cb, x, db, y));
}

CK_AVX2 static void rowgrad_f64(const double *a, const double *b, size_t rows, size_t n, const double *coef,
                                double *ga, double *gb) {
  if (!ga && !gb) return;
  for (size_t r = 0; r < rows; r++) {
    const __m256d ca = _mm256_set1_pd(coef[4 * r + 0]), da = _mm256_set1_pd(coef[4 * r + 1]);
    const __m256d cb = _mm256_set1_pd(coef[4 * r + 2]), db = _mm256_set1_pd(coef[4 * r + 3]);
    const size_t base = r * n;
    const double *pa = a + base, *pb = b + base;
    double *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) grad4_f64(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL);
    if (i < n) {
      size_t k = n - i;
      double ta[4] = {0}, tb[4] = {0}, ua[4], ub[4];
      memcpy(ta, pa + i, k * sizeof(double));
      memcpy(tb, pb + i, k * sizeof(double));
      grad4_f64(ca, da, cb, db, ta, tb, qa ? ua : NULL, qb ? ub : NULL);
      if (qa) memcpy(qa + i, ua, k * sizeof(double));
      if (qb) memcpy(qb + i, ub, k * sizeof(double));
    }
  }
}

CK_AVX2 static inline void grad8_f16(__m256 ca, __m256 da, __m256 cb, __m256 db,
                                     const uint16_t *sa, const uint16_t *sb, uint16_t *qa, uint16_t *qb) {
  __m256 x = ld8h(sa), y = ld8h(sb);
  if (qa) _mm_storeu_si128((__m128i *)qa, _mm256_cvtps_ph(lincomb_ps(ca, y, da, x), CK_PH_ROUND));
  if (qb) _mm_storeu_si128((__m128i *)qb, _mm256_cvtps_ph(lincomb_ps(cb, x, db, y), CK_PH_ROUND));
}

CK_AVX2 static void rowgrad_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, const double *coef,
                                uint16_t *ga, uint16_t *gb) {
  if (!ga && !gb) return;
  for (size_t r = 0; r < rows; r++) {
    const __m256 ca = _mm256_set1_ps((float)coef[4 * r + 0]), da = _mm256_set1_ps((float)coef[4 * r + 1]);
    const __m256 cb = _mm256_set1_ps((float)coef[4 * r + 2]), db = _mm256_set1_ps((float)coef[4 * r + 3]);
    const size_t base = r * n;
    const uint16_t *pa = a + base, *pb = b + base;
    uint16_t *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) grad8_f16(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL);
    if (i < n) {
      size_t k = n - i;
      uint16_t ta[8] = {0}, tb[8] = {0}, ua[8], ub[8];
      memcpy(ta, pa + i, k * sizeof(uint16_t));
      memcpy(tb, pb + i, k * sizeof(uint16_t));
      grad8_f16(ca, da, cb, db, ta, tb, qa ? ua : NULL, qb ? ub : NULL);
      if (qa) memcpy(qa + i, ua, k * sizeof(uint16_t));
      if (qb) memcpy(qb + i, ub, k * sizeof(uint16_t));
    }
  }
}

CK_AVX2 static inline void scale8_f32(__m256d s, const float *p, float *q) {
  _mm256_storeu_ps(q, cvt2x4pd_ps(_mm256_mul_pd(s, ld4f(p)), _mm256_mul_pd(s, ld4f(p + 4))));
}

CK_AVX2 static void rowscale_f32(const float *x, size_t rows, size_t n, const double *scale, float *out) {
  for (size_t r = 0; r < rows; r++) {
    const __m256d s = _mm256_set1_pd(scale[r]);
    const float *p = x + r * n;
    float *q = out + r * n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) scale8_f32(s, p + i, q + i);
    if (i < n) {
      float t[8] = {0};
      memcpy(t, p + i, (n - i) * sizeof(float));
      scale8_f32(s, t, t);
      memcpy(q + i, t, (n - i) * sizeof(float));
    }
  }
}

CK_AVX2 static void rowscale_f64(const double *x, size_t rows, size_t n, const double *scale, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const __m256d s = _mm256_set1_pd(scale[r]);
    const double *p = x + r * n;
    double *q = out + r * n;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(q + i, _mm256_mul_pd(s, _mm256_loadu_pd(p + i)));
    if (i < n) {
      double t[4] = {0};
      memcpy(t, p + i, (n - i) * sizeof(double));
      _mm256_storeu_pd(t, _mm256_mul_pd(s, _mm256_loadu_pd(t)));
      memcpy(q + i, t, (n - i) * sizeof(double));
    }
  }
}

CK_AVX2 static inline void scale8_f16(__m256 s, const uint16_t *p, uint16_t *q) {
  _mm_storeu_si128((__m128i *)q, _mm256_cvtps_ph(_mm256_mul_ps(s, ld8h(p)), CK_PH_ROUND));
}

CK_AVX2 static void rowscale_f16(const uint16_t *x, size_t rows, size_t n, const double *scale, uint16_t *out) {
  for (size_t r = 0; r < rows; r++) {
    const __m256 s = _mm256_set1_ps((float)scale[r]);
    const uint16_t *p = x + r * n;
    uint16_t *q = out + r * n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) scale8_f16(s, p + i, q + i);
    if (i < n) {
      uint16_t t[8] = {0};
      memcpy(t, p + i, (n - i) * sizeof(uint16_t));
      scale8_f16(s, t, t);
      memcpy(q + i, t, (n - i) * sizeof(uint16_t));
    }
  }
}

const ck_kernels ck_kernels_avx2 = {
  "avx2",
  rowsums_f32, rowsums_f64, rowsums_f16,
  rowgrad_f32, rowgrad_f64, rowgrad_f16,
  rowscale_f32, rowscale_f64, rowscale_f16,
  ck_scalar_colsums_f32, ck_scalar_colgrad_f32,
};

#endif  // CK_X86
