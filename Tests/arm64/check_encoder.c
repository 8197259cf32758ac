// The sentence encoder's elementwise kernels (ck_encoder.h): GELU and its derivative, softmax rows and LayerNorm
// against double-precision definitions within the header's tolerances, on random and edge inputs.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "CCosineKernels.h"
#include "check.h"

static void check_gelu(int64_t n, int kind) {
  char name[64];
  kc_rng g = kc_seed("gelu", (uint64_t)(n * 8 + kind));
  float *x = kc_alloc((size_t)n * 4 + 4), *y = kc_alloc((size_t)n * 4 + 4);
  double *ref = kc_alloc((size_t)n * 8 + 8), *tol = kc_alloc((size_t)n * 8 + 8);
  kc_fill_f32(x, n, &g, kind);
  for (int64_t i = 0; i < n; i++) {
    if (kind == KC_RANDOM) x[i] *= 6.0f;  // [-6, 6): every branch of the polynomial forms
    y[i] = x[i];
    const double v = x[i];
    ref[i] = v * (1.0 + erf(v / sqrt(2.0))) / 2.0;
    tol[i] = 2e-6 * fmax(fabs(ref[i]), 1e-3);
  }
  ck_gelu_erf_f32(y, n);
  snprintf(name, sizeof name, "gelu_f32/n%lld/k%d", (long long)n, kind);
  int64_t bad = -1;
  for (int64_t i = 0; i < n && bad < 0; i++) {
    if (isnan(ref[i]) ? !isnan(y[i]) : (isinf(ref[i]) ? y[i] != ref[i] : !(fabs(y[i] - ref[i]) <= tol[i]))) bad = i;
  }
  kc_check(bad < 0, name, "x = %g gives %g, reference %g", bad < 0 ? 0.0 : x[bad], bad < 0 ? 0.0 : y[bad],
           bad < 0 ? 0.0 : ref[bad]);
  kc_digest_f32(KC_TOLERANCE, name, y, n);
  free(x), free(y), free(ref), free(tol);
}

static void check_gelu_derivative(int64_t n) {
  char name[64];
  kc_rng g = kc_seed("gelu_derivative", (uint64_t)n);
  float *x = kc_alloc((size_t)n * 4 + 4), *y = kc_alloc((size_t)n * 4 + 4), *d = kc_alloc((size_t)n * 4 + 4);
  kc_fill_f32(x, n, &g, KC_RANDOM);
  for (int64_t i = 0; i < n; i++) x[i] *= 6.0f;
  ck_gelu_erf_derivative_f32(x, y, d, n);
  snprintf(name, sizeof name, "gelu_derivative_f32/n%lld", (long long)n);
  int64_t bad = -1;
  for (int64_t i = 0; i < n && bad < 0; i++) {
    const double v = x[i], cdf = (1.0 + erf(v / sqrt(2.0))) / 2.0, density = exp(-v * v / 2.0) * 0.3989422804014327;
    const double value = v * cdf, slope = cdf + v * density;
    const double terms = fmax(fmax(fabs(slope), cdf), fmax(fabs(v) * density, 1e-3));
    if (!(fabs(y[i] - value) <= 2e-6 * fmax(fabs(value), 1e-3)) || !(fabs(d[i] - slope) <= 3e-6 * terms)) bad = i;
  }
  kc_check(bad < 0, name, "x = %g gives %g and %g", bad < 0 ? 0.0 : x[bad], bad < 0 ? 0.0 : y[bad],
           bad < 0 ? 0.0 : d[bad]);
  kc_digest_f32(KC_TOLERANCE, name, d, n);
  free(x), free(y), free(d);
}

static void check_softmax(int64_t rows, int64_t cols) {
  char name[64];
  const int64_t lds = cols + 3;
  kc_rng g = kc_seed("softmax", (uint64_t)(rows * 1000 + cols));
  float *s = kc_alloc((size_t)(rows * lds) * 4 + 4), *orig = kc_alloc((size_t)(rows * lds) * 4 + 4);
  kc_fill_f32(s, rows * lds, &g, KC_RANDOM);
  for (int64_t i = 0; i < rows * lds; i++) orig[i] = s[i] *= 20.0f;
  ck_softmax_rows_f32(s, lds, rows, cols, 0.5f);
  snprintf(name, sizeof name, "softmax_rows_f32/r%lld/c%lld", (long long)rows, (long long)cols);
  int ok = 1;
  for (int64_t r = 0; r < rows; r++) {
    double top = -INFINITY, sum = 0;
    for (int64_t c = 0; c < cols; c++) top = fmax(top, (double)(orig[r * lds + c] * 0.5f));
    for (int64_t c = 0; c < cols; c++) sum += exp((double)(orig[r * lds + c] * 0.5f) - top);
    for (int64_t c = 0; c < cols; c++) {
      const double want = exp((double)(orig[r * lds + c] * 0.5f) - top) / sum;
      if (!(fabs(s[r * lds + c] - want) <= 1e-6 * want + 1e-12)) ok = 0;
    }
    for (int64_t c = cols; c < lds; c++)
      if (s[r * lds + c] != orig[r * lds + c]) ok = 0;
  }
  kc_check(ok, name, "outside 1e-6 relative, or the padding changed");
  kc_digest_f32(KC_TOLERANCE, name, s, rows * lds);
  free(s), free(orig);
}

static void check_layer_norm(int64_t rows, int64_t width, int with_add) {
  char name[64];
  kc_rng g = kc_seed("layer_norm", (uint64_t)((rows * 1000 + width) * 2 + with_add));
  float *x = kc_alloc((size_t)(rows * width) * 4 + 4), *add = kc_alloc((size_t)(rows * width) * 4 + 4);
  float *gamma = kc_alloc((size_t)width * 4 + 4), *beta = kc_alloc((size_t)width * 4 + 4);
  float *y = kc_alloc((size_t)(rows * width) * 4 + 4);
  kc_fill_f32(x, rows * width, &g, KC_RANDOM), kc_fill_f32(add, rows * width, &g, KC_RANDOM);
  kc_fill_f32(gamma, width, &g, KC_RANDOM), kc_fill_f32(beta, width, &g, KC_RANDOM);
  for (int64_t i = 0; i < rows * width; i++) y[i] = x[i] * 4.0f + 1.0f;
  ck_add_layer_norm_f32(y, with_add ? add : NULL, rows, width, gamma, beta, 1e-12f);
  snprintf(name, sizeof name, "add_layer_norm_f32/r%lld/w%lld/a%d", (long long)rows, (long long)width, with_add);
  int ok = 1;
  for (int64_t r = 0; r < rows; r++) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < width; j++) mean += (double)(x[r * width + j] * 4.0f + 1.0f) + (with_add ? add[r * width + j] : 0);
    mean /= (double)width;
    for (int64_t j = 0; j < width; j++) {
      const double e = (double)(x[r * width + j] * 4.0f + 1.0f) + (with_add ? add[r * width + j] : 0) - mean;
      var += e * e;
    }
    var /= (double)width;
    for (int64_t j = 0; j < width; j++) {
      const double v = (double)(x[r * width + j] * 4.0f + 1.0f) + (with_add ? add[r * width + j] : 0);
      const double want = (v - mean) / sqrt(var + 1e-12) * gamma[j] + beta[j];
      if (!(fabs(y[r * width + j] - want) <= 2e-5 * fmax(1.0, fabs(want)))) ok = 0;
    }
  }
  kc_check(ok, name, "outside 2e-5 of the double definition");
  kc_digest_f32(KC_TOLERANCE, name, y, rows * width);
  free(x), free(add), free(gamma), free(beta), free(y);
}

void kc_check_encoder(void) {
  const int64_t lengths[] = {1, 15, 16, 17, 1000};
  for (int i = 0; i < 5; i++)
    for (int kind = KC_RANDOM; kind <= KC_EDGE_FINITE; kind++) check_gelu(lengths[i], kind);
  for (int i = 0; i < 5; i++) check_gelu_derivative(lengths[i]);
  const int64_t tiles[][2] = {{1, 1}, {3, 5}, {2, 16}, {4, 33}, {2, 100}};
  for (int i = 0; i < 5; i++) check_softmax(tiles[i][0], tiles[i][1]);
  const int64_t norms[][2] = {{1, 1}, {3, 16}, {2, 37}, {2, 384}};
  for (int i = 0; i < 4; i++)
    for (int a = 0; a < 2; a++) check_layer_norm(norms[i][0], norms[i][1], a);
}
