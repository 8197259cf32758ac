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
// Element-wise kernels: rowgrad (g = c*y - d*x, evaluated as (c*y) - (d*x) with no fusion, like
// the scalar path) and rowscale; and their column counterpart colgrad.
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

// Lanes [0, k) set, for 0 <= k <= 32.
CK_AVX512 static inline __mmask32 mask32(size_t k) { return (__mmask32)(k >= 32 ? 0xffffffffu : (1u << k) - 1u); }

// One element-wise step of each type: 2 vectors of widened lanes, full or masked.
// float: 16 elements as 2 x 8 doubles.
CK_INLINE void ld2_f32(__mmask16 m, int full, const float *p, __m512d x[2]) {
  if (full) {
    x[0] = ld8f(p); x[1] = ld8f(p + 8);
  } else {
    ld16f_mask(m, p, &x[0], &x[1]);
  }
}
CK_INLINE void st2_f32(__mmask16 m, int full, int st, float *q, __m512d g0, __m512d g1) {
  __m512 g = cvt16pd_ps(g0, g1);
  if (full) st16f(q, g, st); else _mm512_mask_storeu_ps(q, m, g);
}
// double: 16 elements as 2 x 8 doubles.
CK_INLINE void ld2_f64(__mmask16 m, int full, const double *p, __m512d x[2]) {
  if (full) {
    x[0] = _mm512_loadu_pd(p); x[1] = _mm512_loadu_pd(p + 8);
  } else {
    x[0] = _mm512_maskz_loadu_pd((__mmask8)m, p); x[1] = _mm512_maskz_loadu_pd((__mmask8)(m >> 8), p + 8);
  }
}
CK_INLINE void st2_f64(__mmask16 m, int full, int st, double *q, __m512d g0, __m512d g1) {
  if (full) {
    st8d(q, g0, st); st8d(q + 8, g1, st);
  } else {
    _mm512_mask_storeu_pd(q, (__mmask8)m, g0); _mm512_mask_storeu_pd(q + 8, (__mmask8)(m >> 8), g1);
  }
}
// half: 32 elements as 2 x 16 floats.
CK_INLINE void ld2_f16(__mmask32 m, int full, const uint16_t *p, __m512 x[2]) {
  if (full) {
    x[0] = ld16h(p); x[1] = ld16h(p + 16);
  } else {
    __m512i v = _mm512_maskz_loadu_epi16(m, p);
    x[0] = _mm512_cvtph_ps(_mm512_castsi512_si256(v)); x[1] = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(v, 1));
  }
}
CK_INLINE void st2_f16(__mmask32 m, int full, int st, uint16_t *q, __m512 g0, __m512 g1) {
  __m512i g = cvt32ps_ph(g0, g1);
  if (full) st32h(q, g, st); else _mm512_mask_storeu_epi16(q, m, g);
}

// ---------------------------------------------------------------------------------------------
// Vector arithmetic of the instantiation's lane type: RT_OP(add) is _mm512_add_ ## RT_LANE.
#define RT_PASTE(a, b) a##b
#define RT_CAT(a, b) RT_PASTE(a, b)
#define RT_OP(op) RT_CAT(_mm512_##op##_, RT_LANE)

// The row kernels, written once in rows_avx512_template.h and instantiated per element type.

// float: widened to double, 8 per vector.
#define RT_FN(x) x##_f32
#define RT_T float
#define RT_V __m512d
#define RT_VL 8
#define RT_LD(p) ld8f(p)
#define RT_LD_MASK(k, p) ld8f_mask(mask8(k), p)
#define RT_LANE pd
#define RT_HSUM(v) _mm512_reduce_add_pd(v)
#define RT_SUMS_UNIT 2
#define RT_M __mmask16
#define RT_MASK(k) mask16(k)
#define RT_LD2(m, full, p, x) ld2_f32(m, full, p, x)
#define RT_ST2(m, full, st, q, g0, g1) st2_f32(m, full, st, q, g0, g1)
#include "rows_avx512_template.h"

// double: 8 per vector.
#define RT_FN(x) x##_f64
#define RT_T double
#define RT_V __m512d
#define RT_VL 8
#define RT_LD(p) _mm512_loadu_pd(p)
#define RT_LD_MASK(k, p) _mm512_maskz_loadu_pd(mask8(k), p)
#define RT_LANE pd
#define RT_HSUM(v) _mm512_reduce_add_pd(v)
#define RT_SUMS_UNIT 1
#define RT_M __mmask16
#define RT_MASK(k) mask16(k)
#define RT_LD2(m, full, p, x) ld2_f64(m, full, p, x)
#define RT_ST2(m, full, st, q, g0, g1) st2_f64(m, full, st, q, g0, g1)
#include "rows_avx512_template.h"

// half: widened to float, 16 per vector, sums in float.
#define RT_FN(x) x##_f16
#define RT_T uint16_t
#define RT_V __m512
#define RT_VL 16
#define RT_LD(p) ld16h(p)
#define RT_LD_MASK(k, p) ld16h_mask(mask16(k), p)
#define RT_LANE ps
#define RT_HSUM(v) hsum_ps_as_pd(v)
#define RT_SUMS_UNIT 1
#define RT_M __mmask32
#define RT_MASK(k) mask32(k)
#define RT_LD2(m, full, p, x) ld2_f16(m, full, p, x)
#define RT_ST2(m, full, st, q, g0, g1) st2_f16(m, full, st, q, g0, g1)
#include "rows_avx512_template.h"

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
