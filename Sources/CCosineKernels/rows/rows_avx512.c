// AVX-512 kernels (F, BW, VL, DQ + FMA, F16C), enabled per function with a target attribute:
// the file builds without any compiler flag and only runs after a run-time CPU check.
//
// Reductions: several independent accumulators per sum (hides FMA latency), masked loads for
// the tail of every row (no scalar tail loop), accumulators reduced as a tree.
// Element-wise kernels: two products and a difference (no FMA), exactly as the scalar path,
// so they are bit-identical to it; masked stores for the tail, streaming stores for large calls.
#include "rows_internal.h"

#if CK_X86
#include <immintrin.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF  // keep mul/mul/sub unfused, as in the scalar path
#endif

#define CK_AVX512 __attribute__((target(CK_AVX512_FEATURES)))

// Rounding of vcvtps2ph: nearest even, no exceptions (independent of MXCSR).
#define CK_PH_ROUND (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

// Lanes [0, k) set, for 0 <= k <= 16.
CK_AVX512 static inline __mmask16 mask16(size_t k) { return (__mmask16)((1u << k) - 1u); }
CK_AVX512 static inline __mmask8 mask8(size_t k) { return (__mmask8)((1u << k) - 1u); }

// f32 -> f64 of 8 floats.
CK_AVX512 static inline __m512d ld8f(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
CK_AVX512 static inline __m512d ld8f_mask(__mmask8 m, const float *p) {
  return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, p));
}
// f16 -> f32 of 16 halves.
CK_AVX512 static inline __m512 ld16h(const uint16_t *p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}
CK_AVX512 static inline __m512 ld16h_mask(__mmask16 m, const uint16_t *p) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}
CK_AVX512 static inline double hsum_ps_as_pd(__m512 v) {
  __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
  __m512d hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
  return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}

// ---------------------------------------------------------------------------------------------
// rowsums: 3 sums x 4 accumulators.

CK_AVX512 static void rowsums_f32(const float *a, const float *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const float *pa = a + r * n, *pb = b + r * n;
    __m512d ab0 = _mm512_setzero_pd(), ab1 = ab0, ab2 = ab0, ab3 = ab0;
    __m512d aa0 = ab0, aa1 = ab0, aa2 = ab0, aa3 = ab0;
    __m512d bb0 = ab0, bb1 = ab0, bb2 = ab0, bb3 = ab0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
      __m512d x0 = ld8f(pa + i), x1 = ld8f(pa + i + 8), x2 = ld8f(pa + i + 16), x3 = ld8f(pa + i + 24);
      __m512d y0 = ld8f(pb + i), y1 = ld8f(pb + i + 8), y2 = ld8f(pb + i + 16), y3 = ld8f(pb + i + 24);
      ab0 = _mm512_fmadd_pd(x0, y0, ab0); ab1 = _mm512_fmadd_pd(x1, y1, ab1);
      ab2 = _mm512_fmadd_pd(x2, y2, ab2); ab3 = _mm512_fmadd_pd(x3, y3, ab3);
      aa0 = _mm512_fmadd_pd(x0, x0, aa0); aa1 = _mm512_fmadd_pd(x1, x1, aa1);
      aa2 = _mm512_fmadd_pd(x2, x2, aa2); aa3 = _mm512_fmadd_pd(x3, x3, aa3);
      bb0 = _mm512_fmadd_pd(y0, y0, bb0); bb1 = _mm512_fmadd_pd(y1, y1, bb1);
      bb2 = _mm512_fmadd_pd(y2, y2, bb2); bb3 = _mm512_fmadd_pd(y3, y3, bb3);
    }
    if (i + 16 <= n) {
      __m512d x0 = ld8f(pa + i), x1 = ld8f(pa + i + 8);
      __m512d y0 = ld8f(pb + i), y1 = ld8f(pb + i + 8);
      ab0 = _mm512_fmadd_pd(x0, y0, ab0); ab1 = _mm512_fmadd_pd(x1, y1, ab1);
      aa0 = _mm512_fmadd_pd(x0, x0, aa0); aa1 = _mm512_fmadd_pd(x1, x1, aa1);
      bb0 = _mm512_fmadd_pd(y0, y0, bb0); bb1 = _mm512_fmadd_pd(y1, y1, bb1);
      i += 16;
    }
    if (i < n) {  // 1 ... 15 left
      __mmask16 m = mask16(n - i);
      __mmask8 mlo = (__mmask8)m, mhi = (__mmask8)(m >> 8);
      __m512d x0 = ld8f_mask(mlo, pa + i), x1 = ld8f_mask(mhi, pa + i + 8);
      __m512d y0 = ld8f_mask(mlo, pb + i), y1 = ld8f_mask(mhi, pb + i + 8);
      ab2 = _mm512_fmadd_pd(x0, y0, ab2); ab3 = _mm512_fmadd_pd(x1, y1, ab3);
      aa2 = _mm512_fmadd_pd(x0, x0, aa2); aa3 = _mm512_fmadd_pd(x1, x1, aa3);
      bb2 = _mm512_fmadd_pd(y0, y0, bb2); bb3 = _mm512_fmadd_pd(y1, y1, bb3);
    }
    out[3 * r + 0] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(ab0, ab1), _mm512_add_pd(ab2, ab3)));
    out[3 * r + 1] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(aa0, aa1), _mm512_add_pd(aa2, aa3)));
    out[3 * r + 2] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(bb0, bb1), _mm512_add_pd(bb2, bb3)));
  }
}

CK_AVX512 static void rowsums_f64(const double *a, const double *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const double *pa = a + r * n, *pb = b + r * n;
    __m512d ab0 = _mm512_setzero_pd(), ab1 = ab0, ab2 = ab0, ab3 = ab0;
    __m512d aa0 = ab0, aa1 = ab0, aa2 = ab0, aa3 = ab0;
    __m512d bb0 = ab0, bb1 = ab0, bb2 = ab0, bb3 = ab0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
      __m512d x0 = _mm512_loadu_pd(pa + i), x1 = _mm512_loadu_pd(pa + i + 8);
      __m512d x2 = _mm512_loadu_pd(pa + i + 16), x3 = _mm512_loadu_pd(pa + i + 24);
      __m512d y0 = _mm512_loadu_pd(pb + i), y1 = _mm512_loadu_pd(pb + i + 8);
      __m512d y2 = _mm512_loadu_pd(pb + i + 16), y3 = _mm512_loadu_pd(pb + i + 24);
      ab0 = _mm512_fmadd_pd(x0, y0, ab0); ab1 = _mm512_fmadd_pd(x1, y1, ab1);
      ab2 = _mm512_fmadd_pd(x2, y2, ab2); ab3 = _mm512_fmadd_pd(x3, y3, ab3);
      aa0 = _mm512_fmadd_pd(x0, x0, aa0); aa1 = _mm512_fmadd_pd(x1, x1, aa1);
      aa2 = _mm512_fmadd_pd(x2, x2, aa2); aa3 = _mm512_fmadd_pd(x3, x3, aa3);
      bb0 = _mm512_fmadd_pd(y0, y0, bb0); bb1 = _mm512_fmadd_pd(y1, y1, bb1);
      bb2 = _mm512_fmadd_pd(y2, y2, bb2); bb3 = _mm512_fmadd_pd(y3, y3, bb3);
    }
    for (; i + 8 <= n; i += 8) {
      __m512d x = _mm512_loadu_pd(pa + i), y = _mm512_loadu_pd(pb + i);
      ab0 = _mm512_fmadd_pd(x, y, ab0);
      aa0 = _mm512_fmadd_pd(x, x, aa0);
      bb0 = _mm512_fmadd_pd(y, y, bb0);
    }
    if (i < n) {  // 1 ... 7 left
      __mmask8 m = mask8(n - i);
      __m512d x = _mm512_maskz_loadu_pd(m, pa + i), y = _mm512_maskz_loadu_pd(m, pb + i);
      ab1 = _mm512_fmadd_pd(x, y, ab1);
      aa1 = _mm512_fmadd_pd(x, x, aa1);
      bb1 = _mm512_fmadd_pd(y, y, bb1);
    }
    out[3 * r + 0] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(ab0, ab1), _mm512_add_pd(ab2, ab3)));
    out[3 * r + 1] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(aa0, aa1), _mm512_add_pd(aa2, aa3)));
    out[3 * r + 2] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(bb0, bb1), _mm512_add_pd(bb2, bb3)));
  }
}

CK_AVX512 static void rowsums_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const uint16_t *pa = a + r * n, *pb = b + r * n;
    __m512 ab0 = _mm512_setzero_ps(), ab1 = ab0, ab2 = ab0, ab3 = ab0;
    __m512 aa0 = ab0, aa1 = ab0, aa2 = ab0, aa3 = ab0;
    __m512 bb0 = ab0, bb1 = ab0, bb2 = ab0, bb3 = ab0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
      __m512 x0 = ld16h(pa + i), x1 = ld16h(pa + i + 16), x2 = ld16h(pa + i + 32), x3 = ld16h(pa + i + 48);
      __m512 y0 = ld16h(pb + i), y1 = ld16h(pb + i + 16), y2 = ld16h(pb + i + 32), y3 = ld16h(pb + i + 48);
      ab0 = _mm512_fmadd_ps(x0, y0, ab0); ab1 = _mm512_fmadd_ps(x1, y1, ab1);
      ab2 = _mm512_fmadd_ps(x2, y2, ab2); ab3 = _mm512_fmadd_ps(x3, y3, ab3);
      aa0 = _mm512_fmadd_ps(x0, x0, aa0); aa1 = _mm512_fmadd_ps(x1, x1, aa1);
      aa2 = _mm512_fmadd_ps(x2, x2, aa2); aa3 = _mm512_fmadd_ps(x3, x3, aa3);
      bb0 = _mm512_fmadd_ps(y0, y0, bb0); bb1 = _mm512_fmadd_ps(y1, y1, bb1);
      bb2 = _mm512_fmadd_ps(y2, y2, bb2); bb3 = _mm512_fmadd_ps(y3, y3, bb3);
    }
    for (; i + 16 <= n; i += 16) {
      __m512 x = ld16h(pa + i), y = ld16h(pb + i);
      ab0 = _mm512_fmadd_ps(x, y, ab0);
      aa0 = _mm512_fmadd_ps(x, x, aa0);
      bb0 = _mm512_fmadd_ps(y, y, bb0);
    }
    if (i < n) {  // 1 ... 15 left
      __mmask16 m = mask16(n - i);
      __m512 x = ld16h_mask(m, pa + i), y = ld16h_mask(m, pb + i);
      ab1 = _mm512_fmadd_ps(x, y, ab1);
      aa1 = _mm512_fmadd_ps(x, x, aa1);
      bb1 = _mm512_fmadd_ps(y, y, bb1);
    }
    out[3 * r + 0] = hsum_ps_as_pd(_mm512_add_ps(_mm512_add_ps(ab0, ab1), _mm512_add_ps(ab2, ab3)));
    out[3 * r + 1] = hsum_ps_as_pd(_mm512_add_ps(_mm512_add_ps(aa0, aa1), _mm512_add_ps(aa2, aa3)));
    out[3 * r + 2] = hsum_ps_as_pd(_mm512_add_ps(_mm512_add_ps(bb0, bb1), _mm512_add_ps(bb2, bb3)));
  }
}

// ---------------------------------------------------------------------------------------------
// Element-wise kernels: rowgrad (g = c*y - d*x, evaluated as (c*y) - (d*x) with no fusion, like
// the scalar path) and rowscale.
//
// Large outputs are written with non-temporal (streaming) stores: they bypass the caches and
// skip the read-for-ownership of each destination line, which cuts the DRAM traffic of a
// read-2-write-2 pass from 6 to 4 bytes per byte written (measured 1.2-1.5x faster on 400 MB).
// Calls whose data (read + written) would fit in the last-level cache keep ordinary stores,
// so a consumer that reads the output next finds it there (measured: ordinary stores win up to
// 16 MiB touched, streaming from 32 MiB, with a 32 MiB L3).
// Streaming stores need 64-byte alignment: each row starts with a masked step up to the next
// 64-byte boundary of the output. When ga and gb are not congruent modulo 64 bytes, only ga
// streams. An sfence at the end orders the streaming stores before the function returns.

#ifndef CK_STREAM_MIN_BYTES
#define CK_STREAM_MIN_BYTES ((size_t)24 << 20)  // bytes read + written by one call
#endif

#define CK_INLINE CK_AVX512 static inline __attribute__((always_inline))

CK_INLINE __m512d lincomb_pd(__m512d c, __m512d y, __m512d d, __m512d x) {
  return _mm512_sub_pd(_mm512_mul_pd(c, y), _mm512_mul_pd(d, x));
}
CK_INLINE __m512 lincomb_ps(__m512 c, __m512 y, __m512 d, __m512 x) {
  return _mm512_sub_ps(_mm512_mul_ps(c, y), _mm512_mul_ps(d, x));
}
// 2 x 8 doubles -> 16 floats.
CK_INLINE __m512 cvt16pd_ps(__m512d lo, __m512d hi) {
  return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
}
// 16 floats (masked) -> 2 x 8 doubles.
CK_INLINE void ld16f_mask(__mmask16 m, const float *p, __m512d *lo, __m512d *hi) {
  __m512 v = _mm512_maskz_loadu_ps(m, p);
  *lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
  *hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
}
CK_INLINE void st16f(float *q, __m512 v, int stream) {
  if (stream) _mm512_stream_ps(q, v);
  else _mm512_storeu_ps(q, v);
}
CK_INLINE void st8d(double *q, __m512d v, int stream) {
  if (stream) _mm512_stream_pd(q, v);
  else _mm512_storeu_pd(q, v);
}
CK_INLINE void st32h(uint16_t *q, __m512i v, int stream) {
  if (stream) _mm512_stream_si512((void *)q, v);
  else _mm512_storeu_si512((void *)q, v);
}
CK_INLINE __m512i cvt32ps_ph(__m512 lo, __m512 hi) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtps_ph(lo, CK_PH_ROUND)), _mm512_cvtps_ph(hi, CK_PH_ROUND), 1);
}

/// Elements to write before `q + head` is 64-byte aligned (at most n), or 0 when not streaming.
static inline size_t stream_head(const void *q, size_t elem, size_t n, int stream) {
  if (!stream) return 0;
  size_t h = ((64 - ((uintptr_t)q & 63)) & 63) / elem;
  return h < n ? h : n;
}

/// Whether to stream, and which of the two outputs can (see above).
static inline void stream_plan(const void *ga, const void *gb, size_t elem, size_t touched, int *sa, int *sb) {
  const void *lead = ga ? ga : gb;
  int s = touched >= CK_STREAM_MIN_BYTES && ((uintptr_t)lead % elem) == 0;
  *sa = s && ga;
  *sb = s && gb && (!ga || (((uintptr_t)ga - (uintptr_t)gb) & 63) == 0);
}

// One step of rowgrad_f32 on 16 elements (mask m; full when stream flags may be set).
CK_INLINE void grad16_f32(__m512d ca, __m512d da, __m512d cb, __m512d db, const float *pa, const float *pb,
                          float *qa, float *qb, __mmask16 m, int full, int sa, int sb) {
  __m512d x0, x1, y0, y1;
  if (full) {
    x0 = ld8f(pa); x1 = ld8f(pa + 8); y0 = ld8f(pb); y1 = ld8f(pb + 8);
  } else {
    ld16f_mask(m, pa, &x0, &x1);
    ld16f_mask(m, pb, &y0, &y1);
  }
  if (qa) {
    __m512 g = cvt16pd_ps(lincomb_pd(ca, y0, da, x0), lincomb_pd(ca, y1, da, x1));
    if (full) st16f(qa, g, sa); else _mm512_mask_storeu_ps(qa, m, g);
  }
  if (qb) {
    __m512 g = cvt16pd_ps(lincomb_pd(cb, x0, db, y0), lincomb_pd(cb, x1, db, y1));
    if (full) st16f(qb, g, sb); else _mm512_mask_storeu_ps(qb, m, g);
  }
}

CK_AVX512 static void rowgrad_f32(const float *a, const float *b, size_t rows, size_t n, const double *coef,
                                  float *ga, float *gb) {
  if (!ga && !gb) return;
  int sa, sb;
  stream_plan(ga, gb, sizeof(float), rows * n * sizeof(float) * (size_t)(2 + (ga != NULL) + (gb != NULL)), &sa, &sb);
  for (size_t r = 0; r < rows; r++) {
    const __m512d ca = _mm512_set1_pd(coef[4 * r + 0]), da = _mm512_set1_pd(coef[4 * r + 1]);
    const __m512d cb = _mm512_set1_pd(coef[4 * r + 2]), db = _mm512_set1_pd(coef[4 * r + 3]);
    const size_t base = r * n;
    const float *pa = a + base, *pb = b + base;
    float *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = stream_head(qa ? (void *)qa : (void *)qb, sizeof(float), n, sa | sb);
    if (i) grad16_f32(ca, da, cb, db, pa, pb, qa, qb, mask16(i), 0, 0, 0);
    for (; i + 16 <= n; i += 16)
      grad16_f32(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL, 0xffff, 1, sa, sb);
    if (i < n)
      grad16_f32(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL, mask16(n - i), 0, 0, 0);
  }
  if (sa | sb) _mm_sfence();
}

CK_INLINE void grad8_f64(__m512d ca, __m512d da, __m512d cb, __m512d db, const double *pa, const double *pb,
                         double *qa, double *qb, __mmask8 m, int full, int sa, int sb) {
  __m512d x, y;
  if (full) {
    x = _mm512_loadu_pd(pa); y = _mm512_loadu_pd(pb);
  } else {
    x = _mm512_maskz_loadu_pd(m, pa); y = _mm512_maskz_loadu_pd(m, pb);
  }
  if (qa) {
    __m512d g = lincomb_pd(ca, y, da, x);
    if (full) st8d(qa, g, sa); else _mm512_mask_storeu_pd(qa, m, g);
  }
  if (qb) {
    __m512d g = lincomb_pd(cb, x, db, y);
    if (full) st8d(qb, g, sb); else _mm512_mask_storeu_pd(qb, m, g);
  }
}

CK_AVX512 static void rowgrad_f64(const double *a, const double *b, size_t rows, size_t n, const double *coef,
                                  double *ga, double *gb) {
  if (!ga && !gb) return;
  int sa, sb;
  stream_plan(ga, gb, sizeof(double), rows * n * sizeof(double) * (size_t)(2 + (ga != NULL) + (gb != NULL)), &sa, &sb);
  for (size_t r = 0; r < rows; r++) {
    const __m512d ca = _mm512_set1_pd(coef[4 * r + 0]), da = _mm512_set1_pd(coef[4 * r + 1]);
    const __m512d cb = _mm512_set1_pd(coef[4 * r + 2]), db = _mm512_set1_pd(coef[4 * r + 3]);
    const size_t base = r * n;
    const double *pa = a + base, *pb = b + base;
    double *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = stream_head(qa ? (void *)qa : (void *)qb, sizeof(double), n, sa | sb);
    if (i) grad8_f64(ca, da, cb, db, pa, pb, qa, qb, mask8(i), 0, 0, 0);
    for (; i + 16 <= n; i += 16) {
      grad8_f64(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL, 0xff, 1, sa, sb);
      grad8_f64(ca, da, cb, db, pa + i + 8, pb + i + 8, qa ? qa + i + 8 : NULL, qb ? qb + i + 8 : NULL, 0xff, 1, sa, sb);
    }
    for (; i < n; i += 8) {  // at most two steps, the last one masked
      int full = n - i >= 8;
      grad8_f64(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL,
                full ? (__mmask8)0xff : mask8(n - i), 0, 0, 0);
    }
  }
  if (sa | sb) _mm_sfence();
}

// One step of rowgrad_f16 on 32 elements: two 16-lane float halves.
CK_INLINE void grad32_f16(__m512 ca, __m512 da, __m512 cb, __m512 db, const uint16_t *pa, const uint16_t *pb,
                          uint16_t *qa, uint16_t *qb, __mmask32 m, int full, int sa, int sb) {
  __m512 x0, x1, y0, y1;
  if (full) {
    x0 = ld16h(pa); x1 = ld16h(pa + 16); y0 = ld16h(pb); y1 = ld16h(pb + 16);
  } else {
    __m512i va = _mm512_maskz_loadu_epi16(m, pa), vb = _mm512_maskz_loadu_epi16(m, pb);
    x0 = _mm512_cvtph_ps(_mm512_castsi512_si256(va)); x1 = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(va, 1));
    y0 = _mm512_cvtph_ps(_mm512_castsi512_si256(vb)); y1 = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(vb, 1));
  }
  if (qa) {
    __m512i g = cvt32ps_ph(lincomb_ps(ca, y0, da, x0), lincomb_ps(ca, y1, da, x1));
    if (full) st32h(qa, g, sa); else _mm512_mask_storeu_epi16(qa, m, g);
  }
  if (qb) {
    __m512i g = cvt32ps_ph(lincomb_ps(cb, x0, db, y0), lincomb_ps(cb, x1, db, y1));
    if (full) st32h(qb, g, sb); else _mm512_mask_storeu_epi16(qb, m, g);
  }
}

// Lanes [0, k) set, for 0 <= k <= 32.
CK_AVX512 static inline __mmask32 mask32(size_t k) { return (__mmask32)(k >= 32 ? 0xffffffffu : (1u << k) - 1u); }

CK_AVX512 static void rowgrad_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, const double *coef,
                                  uint16_t *ga, uint16_t *gb) {
  if (!ga && !gb) return;
  int sa, sb;
  stream_plan(ga, gb, sizeof(uint16_t), rows * n * sizeof(uint16_t) * (size_t)(2 + (ga != NULL) + (gb != NULL)), &sa, &sb);
  for (size_t r = 0; r < rows; r++) {
    const __m512 ca = _mm512_set1_ps((float)coef[4 * r + 0]), da = _mm512_set1_ps((float)coef[4 * r + 1]);
    const __m512 cb = _mm512_set1_ps((float)coef[4 * r + 2]), db = _mm512_set1_ps((float)coef[4 * r + 3]);
    const size_t base = r * n;
    const uint16_t *pa = a + base, *pb = b + base;
    uint16_t *qa = ga ? ga + base : NULL, *qb = gb ? gb + base : NULL;
    size_t i = stream_head(qa ? (void *)qa : (void *)qb, sizeof(uint16_t), n, sa | sb);
    if (i) grad32_f16(ca, da, cb, db, pa, pb, qa, qb, mask32(i), 0, 0, 0);
    for (; i + 32 <= n; i += 32)
      grad32_f16(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL, 0xffffffffu, 1, sa, sb);
    if (i < n)
      grad32_f16(ca, da, cb, db, pa + i, pb + i, qa ? qa + i : NULL, qb ? qb + i : NULL, mask32(n - i), 0, 0, 0);
  }
  if (sa | sb) _mm_sfence();
}

CK_INLINE void scale16_f32(__m512d s, const float *p, float *q, __mmask16 m, int full, int st) {
  __m512d x0, x1;
  if (full) { x0 = ld8f(p); x1 = ld8f(p + 8); }
  else ld16f_mask(m, p, &x0, &x1);
  __m512 g = cvt16pd_ps(_mm512_mul_pd(s, x0), _mm512_mul_pd(s, x1));
  if (full) st16f(q, g, st); else _mm512_mask_storeu_ps(q, m, g);
}

CK_AVX512 static void rowscale_f32(const float *x, size_t rows, size_t n, const double *scale, float *out) {
  int st, unused;
  stream_plan(out, NULL, sizeof(float), 2 * rows * n * sizeof(float), &st, &unused);
  for (size_t r = 0; r < rows; r++) {
    const __m512d s = _mm512_set1_pd(scale[r]);
    const float *p = x + r * n;
    float *q = out + r * n;
    size_t i = stream_head(q, sizeof(float), n, st);
    if (i) scale16_f32(s, p, q, mask16(i), 0, 0);
    for (; i + 16 <= n; i += 16) scale16_f32(s, p + i, q + i, 0xffff, 1, st);
    if (i < n) scale16_f32(s, p + i, q + i, mask16(n - i), 0, 0);
  }
  if (st) _mm_sfence();
}

CK_INLINE void scale8_f64(__m512d s, const double *p, double *q, __mmask8 m, int full, int st) {
  if (full) st8d(q, _mm512_mul_pd(s, _mm512_loadu_pd(p)), st);
  else _mm512_mask_storeu_pd(q, m, _mm512_mul_pd(s, _mm512_maskz_loadu_pd(m, p)));
}

CK_AVX512 static void rowscale_f64(const double *x, size_t rows, size_t n, const double *scale, double *out) {
  int st, unused;
  stream_plan(out, NULL, sizeof(double), 2 * rows * n * sizeof(double), &st, &unused);
  for (size_t r = 0; r < rows; r++) {
    const __m512d s = _mm512_set1_pd(scale[r]);
    const double *p = x + r * n;
    double *q = out + r * n;
    size_t i = stream_head(q, sizeof(double), n, st);
    if (i) scale8_f64(s, p, q, mask8(i), 0, 0);
    for (; i + 16 <= n; i += 16) {
      scale8_f64(s, p + i, q + i, 0xff, 1, st);
      scale8_f64(s, p + i + 8, q + i + 8, 0xff, 1, st);
    }
    for (; i < n; i += 8) scale8_f64(s, p + i, q + i, n - i >= 8 ? (__mmask8)0xff : mask8(n - i), 0, 0);
  }
  if (st) _mm_sfence();
}

CK_INLINE void scale32_f16(__m512 s, const uint16_t *p, uint16_t *q, __mmask32 m, int full, int st) {
  __m512 x0, x1;
  if (full) { x0 = ld16h(p); x1 = ld16h(p + 16); }
  else {
    __m512i v = _mm512_maskz_loadu_epi16(m, p);
    x0 = _mm512_cvtph_ps(_mm512_castsi512_si256(v)); x1 = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(v, 1));
  }
  __m512i g = cvt32ps_ph(_mm512_mul_ps(s, x0), _mm512_mul_ps(s, x1));
  if (full) st32h(q, g, st); else _mm512_mask_storeu_epi16(q, m, g);
}

CK_AVX512 static void rowscale_f16(const uint16_t *x, size_t rows, size_t n, const double *scale, uint16_t *out) {
  int st, unused;
  stream_plan(out, NULL, sizeof(uint16_t), 2 * rows * n * sizeof(uint16_t), &st, &unused);
  for (size_t r = 0; r < rows; r++) {
    const __m512 s = _mm512_set1_ps((float)scale[r]);
    const uint16_t *p = x + r * n;
    uint16_t *q = out + r * n;
    size_t i = stream_head(q, sizeof(uint16_t), n, st);
    if (i) scale32_f16(s, p, q, mask32(i), 0, 0);
    for (; i + 32 <= n; i += 32) scale32_f16(s, p + i, q + i, 0xffffffffu, 1, st);
    if (i < n) scale32_f16(s, p + i, q + i, mask32(n - i), 0, 0);
  }
  if (st) _mm_sfence();
}

// ---------------------------------------------------------------------------------------------
// Column kernels: 8 rows per vector, accumulators in memory (they stay in L1 across calls).

CK_AVX512 static void colsums_f32(const float *a, const float *b, size_t n, double *d, double *q1, double *q2) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512d x = ld8f(a + i), y = ld8f(b + i);
    _mm512_storeu_pd(d + i, _mm512_fmadd_pd(x, y, _mm512_loadu_pd(d + i)));
    _mm512_storeu_pd(q1 + i, _mm512_fmadd_pd(x, x, _mm512_loadu_pd(q1 + i)));
    _mm512_storeu_pd(q2 + i, _mm512_fmadd_pd(y, y, _mm512_loadu_pd(q2 + i)));
  }
  if (i < n) {
    __mmask8 m = mask8(n - i);
    __m512d x = ld8f_mask(m, a + i), y = ld8f_mask(m, b + i);
    _mm512_mask_storeu_pd(d + i, m, _mm512_fmadd_pd(x, y, _mm512_maskz_loadu_pd(m, d + i)));
    _mm512_mask_storeu_pd(q1 + i, m, _mm512_fmadd_pd(x, x, _mm512_maskz_loadu_pd(m, q1 + i)));
    _mm512_mask_storeu_pd(q2 + i, m, _mm512_fmadd_pd(y, y, _mm512_maskz_loadu_pd(m, q2 + i)));
  }
}

CK_AVX512 static void colgrad_f32(const float *a, const float *b, size_t n, const double *ca, const double *da,
                                  const double *cb, const double *db, float *ga, float *gb) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512d x = ld8f(a + i), y = ld8f(b + i);
    if (ga) _mm256_storeu_ps(ga + i, _mm512_cvtpd_ps(lincomb_pd(_mm512_loadu_pd(ca + i), y, _mm512_loadu_pd(da + i), x)));
    if (gb) _mm256_storeu_ps(gb + i, _mm512_cvtpd_ps(lincomb_pd(_mm512_loadu_pd(cb + i), x, _mm512_loadu_pd(db + i), y)));
  }
  if (i < n) {
    __mmask8 m = mask8(n - i);
    __m512d x = ld8f_mask(m, a + i), y = ld8f_mask(m, b + i);
    if (ga)
      _mm256_mask_storeu_ps(ga + i, m, _mm512_cvtpd_ps(lincomb_pd(_mm512_maskz_loadu_pd(m, ca + i), y,
                                                                  _mm512_maskz_loadu_pd(m, da + i), x)));
    if (gb)
      _mm256_mask_storeu_ps(gb + i, m, _mm512_cvtpd_ps(lincomb_pd(_mm512_maskz_loadu_pd(m, cb + i), x,
                                                                  _mm512_maskz_loadu_pd(m, db + i), y)));
  }
}

const ck_kernels ck_kernels_avx512 = {
  "avx512",
  rowsums_f32, rowsums_f64, rowsums_f16,
  rowgrad_f32, rowgrad_f64, rowgrad_f16,
  rowscale_f32, rowscale_f64, rowscale_f16,
  colsums_f32, colgrad_f32,
};

#endif  // CK_X86
