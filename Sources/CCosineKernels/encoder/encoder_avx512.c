// AVX-512 forms of the encoder's elementwise kernels (see ck_encoder.h).
#include <math.h>
#include "../cpu/cpu_features.h"
#include "ck_encoder.h"

#if CK_X86
#include <immintrin.h>
#include "../cpu/exp_avx512.h"
#define EN_ATTR __attribute__((target(CK_AVX512_FEATURES)))

// erf(z)/z = A(z²) on |z| < 1, and erfc(z)·e^(z²) = B(1/z − 0.55) on 1 ≤ z ≤ 10: least-squares
// fits in float64 (relative error 2e-9 and 5e-8), highest degree first.
static const float gelu_a[7] = {7.958734419976993e-05f, -0.0008041426542055033f, 0.005191825768480866f,
                                -0.026855628914727165f, 0.11283628428786675f,    -0.3761262975270936f,
                                1.1283791664454663f};
static const float gelu_b[13] = {0.04117500435831099f,  0.012397518164065263f, -0.0753179060088982f,
                                 0.05576181072227896f,  -0.012948371258859672f, -0.024163778398694234f,
                                 0.056267785847282634f, -0.06944529208961607f,  0.04500281688138504f,
                                 0.03372944138634893f,  -0.1812353106587594f,   0.40883413032806526f,
                                 0.2762943829648289f};

/// 1 + erf(x/√2) = 2·Φ(x) of 16 lanes.
static inline __attribute__((always_inline)) EN_ATTR __m512 one_plus_erf16(__m512 x) {
  const __m512 z = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f));
  const __m512 az = _mm512_abs_ps(z);
  const __m512 z2 = _mm512_mul_ps(z, z);
  // |z| < 1: 1 + z·A(z²).
  __m512 a = _mm512_set1_ps(gelu_a[0]);
  for (int i = 1; i < 7; i++) a = _mm512_fmadd_ps(a, z2, _mm512_set1_ps(gelu_a[i]));
  const __m512 near = _mm512_fmadd_ps(z, a, _mm512_set1_ps(1.0f));
  // |z| ≥ 1: t = erfc(|z|) = e^(−z²)·B(1/|z| − 0.55), z² split as hi + lo so that e^(−z²) keeps
  // its precision; 1 + erf(z) is t for z < 0 and 2 − t for z > 0.
  const __m512 u = _mm512_sub_ps(_mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_max_ps(az, _mm512_set1_ps(1.0f))),
                                 _mm512_set1_ps(0.55f));
  __m512 b = _mm512_set1_ps(gelu_b[0]);
  for (int i = 1; i < 13; i++) b = _mm512_fmadd_ps(b, u, _mm512_set1_ps(gelu_b[i]));
  const __m512 lo = _mm512_fmsub_ps(z, z, z2);
  __m512 e = ck_exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), z2));
  e = _mm512_fnmadd_ps(e, lo, e);
  // Past |z| = 10 (and at infinity, where lo is NaN) t is 0.
  const __mmask16 beyond = _mm512_cmp_ps_mask(az, _mm512_set1_ps(10.0f), _CMP_GT_OQ);
  const __m512 t = _mm512_maskz_mul_ps((__mmask16)~beyond, e, b);
  const __mmask16 negative = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ);
  const __m512 far = _mm512_mask_blend_ps(negative, _mm512_sub_ps(_mm512_set1_ps(2.0f), t), t);
  const __mmask16 small = _mm512_cmp_ps_mask(az, _mm512_set1_ps(1.0f), _CMP_LT_OQ);
  // NaN compares false everywhere: it takes the `far` form, whose arithmetic keeps it NaN.
  return _mm512_mask_blend_ps(small, far, near);
}

/// GELU of 16 lanes.
static inline __attribute__((always_inline)) EN_ATTR __m512 gelu16(__m512 x) {
  return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), one_plus_erf16(x));
}

/// GELU and its derivative Φ(x) + x·e^(−x²/2)/√(2π) of 16 lanes.
static inline __attribute__((always_inline)) EN_ATTR void gelu_and_derivative16(__m512 x, __m512 *g, __m512 *d) {
  const __m512 cdf = _mm512_mul_ps(one_plus_erf16(x), _mm512_set1_ps(0.5f));
  const __m512 density = _mm512_mul_ps(
      ck_exp_avx512(_mm512_mul_ps(_mm512_mul_ps(x, x), _mm512_set1_ps(-0.5f))), _mm512_set1_ps(0.3989422804014327f));
  *g = _mm512_mul_ps(x, cdf);
  *d = _mm512_fmadd_ps(x, density, cdf);
}

EN_ATTR void ck_gelu_erf_derivative_f32_avx512(const float *x, float *g, float *d, int64_t n) {
  int64_t i = 0;
  __m512 gv, dv;
  for (; i + 16 <= n; i += 16) {
    gelu_and_derivative16(_mm512_loadu_ps(x + i), &gv, &dv);
    _mm512_storeu_ps(g + i, gv);
    _mm512_storeu_ps(d + i, dv);
  }
  if (i < n) {
    const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
    gelu_and_derivative16(_mm512_maskz_loadu_ps(m, x + i), &gv, &dv);
    _mm512_mask_storeu_ps(g + i, m, gv);
    _mm512_mask_storeu_ps(d + i, m, dv);
  }
}

EN_ATTR void ck_gelu_erf_f32_avx512(float *x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, gelu16(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(x + i, m, gelu16(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

EN_ATTR void ck_softmax_rows_f32_avx512(float *s, int64_t lds, int64_t rows, int64_t cols, float scale) {
  const __m512 sc = _mm512_set1_ps(scale);
  for (int64_t r = 0; r < rows; r++) {
    float *row = s + r * lds;
    if (cols <= 0) continue;
    __m512 top = _mm512_set1_ps(-INFINITY);
    int64_t c = 0;
    for (; c + 16 <= cols; c += 16) {
      const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(row + c), sc);
      _mm512_storeu_ps(row + c, v);
      top = _mm512_max_ps(top, v);
    }
    const __mmask16 tail = (__mmask16)((1u << (cols - c)) - 1);
    if (c < cols) {
      const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, row + c), sc);
      _mm512_mask_storeu_ps(row + c, tail, v);
      top = _mm512_mask_max_ps(top, tail, top, v);
    }
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(top));
    __m512 sum = _mm512_setzero_ps();
    for (c = 0; c + 16 <= cols; c += 16) {
      const __m512 e = ck_exp_avx512(_mm512_sub_ps(_mm512_loadu_ps(row + c), m));
      _mm512_storeu_ps(row + c, e);
      sum = _mm512_add_ps(sum, e);
    }
    if (c < cols) {
      const __m512 e = ck_exp_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, row + c), m));
      _mm512_mask_storeu_ps(row + c, tail, e);
      sum = _mm512_mask_add_ps(sum, tail, sum, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (c = 0; c + 16 <= cols; c += 16) _mm512_storeu_ps(row + c, _mm512_mul_ps(_mm512_loadu_ps(row + c), inv));
    if (c < cols) _mm512_mask_storeu_ps(row + c, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, row + c), inv));
  }
}

EN_ATTR void ck_add_layer_norm_f32_avx512(float *x, const float *add, int64_t rows, int64_t width,
                                          const float *gamma, const float *beta, float eps) {
  const int64_t full = width / 16 * 16;
  const __mmask16 tail = (__mmask16)((1u << (width - full)) - 1);
  for (int64_t r = 0; r < rows; r++) {
    float *y = x + r * width;
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < full; j += 16) {
      __m512 v = _mm512_loadu_ps(y + j);
      if (add) {
        v = _mm512_add_ps(v, _mm512_loadu_ps(add + r * width + j));
        _mm512_storeu_ps(y + j, v);
      }
      sum = _mm512_add_ps(sum, v);
    }
    if (full < width) {
      __m512 v = _mm512_maskz_loadu_ps(tail, y + full);
      if (add) {
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(tail, add + r * width + full));
        _mm512_mask_storeu_ps(y + full, tail, v);
      }
      sum = _mm512_add_ps(sum, v);
    }
    const float mean = _mm512_reduce_add_ps(sum) / (float)width;
    const __m512 m = _mm512_set1_ps(mean);
    __m512 sq = _mm512_setzero_ps();
    for (int64_t j = 0; j < full; j += 16) {
      const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(y + j), m);
      sq = _mm512_fmadd_ps(d, d, sq);
    }
    if (full < width) {
      const __m512 d = _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, y + full), m);
      sq = _mm512_fmadd_ps(d, d, sq);
    }
    const float variance = _mm512_reduce_add_ps(sq) / (float)width;
    const __m512 inv = _mm512_set1_ps(1.0f / sqrtf(variance + eps));
    for (int64_t j = 0; j < full; j += 16) {
      const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(y + j), m), inv);
      _mm512_storeu_ps(y + j, _mm512_fmadd_ps(d, _mm512_loadu_ps(gamma + j), _mm512_loadu_ps(beta + j)));
    }
    if (full < width) {
      const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, y + full), m), inv);
      _mm512_mask_storeu_ps(y + full, tail,
                            _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(tail, gamma + full),
                                            _mm512_maskz_loadu_ps(tail, beta + full)));
    }
  }
}
#endif
