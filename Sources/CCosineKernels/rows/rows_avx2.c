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

CK_AVX2 static inline void st4f(float *q, __m256d v) { _mm_storeu_ps(q, _mm256_cvtpd_ps(v)); }
CK_AVX2 static inline void st8h(uint16_t *q, __m256 v) {
  _mm_storeu_si128((__m128i *)q, _mm256_cvtps_ph(v, CK_PH_ROUND));
}

// Vector arithmetic of the instantiation's lane type: RT_OP(add) is _mm256_add_ ## RT_LANE.
#define RT_PASTE(a, b) a##b
#define RT_CAT(a, b) RT_PASTE(a, b)
#define RT_OP(op) RT_CAT(_mm256_##op##_, RT_LANE)

// The row kernels, written once in rows_avx2_template.h and instantiated per element type.

// float: widened to double, 4 per vector; element-wise steps of 8.
#define RT_FN(x) x##_f32
#define RT_T float
#define RT_V __m256d
#define RT_VL 4
#define RT_LD(p) ld4f(p)
#define RT_ST(q, v) st4f(q, v)
#define RT_LANE pd
#define RT_HSUM(v) hsum_pd(v)
#define RT_SUMS_TAIL_SPLIT 1
#define RT_GV 2
#include "rows_avx2_template.h"

// double: 4 per vector; element-wise steps of 4.
#define RT_FN(x) x##_f64
#define RT_T double
#define RT_V __m256d
#define RT_VL 4
#define RT_LD(p) _mm256_loadu_pd(p)
#define RT_ST(q, v) _mm256_storeu_pd(q, v)
#define RT_LANE pd
#define RT_HSUM(v) hsum_pd(v)
#define RT_SUMS_TAIL_SPLIT 1
#define RT_GV 1
#include "rows_avx2_template.h"

// half: widened to float, 8 per vector, sums in float; element-wise steps of 8.
#define RT_FN(x) x##_f16
#define RT_T uint16_t
#define RT_V __m256
#define RT_VL 8
#define RT_LD(p) ld8h(p)
#define RT_ST(q, v) st8h(q, v)
#define RT_LANE ps
#define RT_HSUM(v) hsum_ps_as_pd(v)
#define RT_SUMS_TAIL_SPLIT 0
#define RT_GV 1
#include "rows_avx2_template.h"

const ck_kernels ck_kernels_avx2 = {
  "avx2",
  rowsums_f32, rowsums_f64, rowsums_f16,
  rowgrad_f32, rowgrad_f64, rowgrad_f16,
  rowscale_f32, rowscale_f64, rowscale_f16,
  ck_scalar_colsums_f32, ck_scalar_colgrad_f32,
};

#endif  // CK_X86
