// The encoder's elementwise kernels: run-time dispatch, and the portable forms (the C library's
// erfcf and expf, one value at a time).
#include <math.h>
#include "../cpu/cpu_features.h"
#include "ck_encoder.h"

#if CK_X86
void ck_gelu_erf_f32_avx512(float *x, int64_t n);
void ck_gelu_erf_derivative_f32_avx512(const float *x, float *g, float *d, int64_t n);
void ck_softmax_rows_f32_avx512(float *s, int64_t lds, int64_t rows, int64_t cols, float scale);
void ck_add_layer_norm_f32_avx512(float *x, const float *add, int64_t rows, int64_t width, const float *gamma,
                                  const float *beta, float eps);
#endif

void ck_gelu_erf_f32(float *x, int64_t n) {
#if CK_X86
  if (ck_level() == 2) return ck_gelu_erf_f32_avx512(x, n);
#endif
  // 1 + erf(z) as erfc(−z): no cancellation for negative x; x/2 first so that the largest x
  // does not overflow.
  for (int64_t i = 0; i < n; i++) x[i] = (x[i] * 0.5f) * erfcf(-x[i] * 0.70710678118654752f);
}

void ck_gelu_erf_derivative_f32(const float *x, float *g, float *d, int64_t n) {
#if CK_X86
  if (ck_level() == 2) return ck_gelu_erf_derivative_f32_avx512(x, g, d, n);
#endif
  for (int64_t i = 0; i < n; i++) {
    const float cdf = 0.5f * erfcf(-x[i] * 0.70710678118654752f);
    g[i] = x[i] * cdf;
    d[i] = cdf + x[i] * expf(-0.5f * x[i] * x[i]) * 0.3989422804014327f;
  }
}

void ck_softmax_rows_f32(float *s, int64_t lds, int64_t rows, int64_t cols, float scale) {
#if CK_X86
  if (ck_level() == 2) return ck_softmax_rows_f32_avx512(s, lds, rows, cols, scale);
#endif
  for (int64_t r = 0; r < rows; r++) {
    float *row = s + r * lds;
    float top = -INFINITY;
    for (int64_t c = 0; c < cols; c++) {
      row[c] *= scale;
      top = row[c] > top ? row[c] : top;
    }
    float sum = 0;
    for (int64_t c = 0; c < cols; c++) {
      row[c] = expf(row[c] - top);
      sum += row[c];
    }
    const float inv = 1.0f / sum;
    for (int64_t c = 0; c < cols; c++) row[c] *= inv;
  }
}

void ck_add_layer_norm_f32(float *x, const float *add, int64_t rows, int64_t width, const float *gamma,
                           const float *beta, float eps) {
#if CK_X86
  if (ck_level() == 2) return ck_add_layer_norm_f32_avx512(x, add, rows, width, gamma, beta, eps);
#endif
  for (int64_t r = 0; r < rows; r++) {
    float *y = x + r * width;
    if (add)
      for (int64_t j = 0; j < width; j++) y[j] += add[r * width + j];
    float mean = 0;
    for (int64_t j = 0; j < width; j++) mean += y[j];
    mean /= (float)width;
    float variance = 0;
    for (int64_t j = 0; j < width; j++) variance += (y[j] - mean) * (y[j] - mean);
    variance /= (float)width;
    const float inv = 1.0f / sqrtf(variance + eps);
    for (int64_t j = 0; j < width; j++) y[j] = (y[j] - mean) * inv * gamma[j] + beta[j];
  }
}
