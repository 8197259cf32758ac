// Row kernels (ck_rows.h) and the sums of squares of packing (ck_gemm.h) against references
// computed here: the element-wise kernels are specified operation by operation, so their
// reference is the same operations (bitwise); the reductions against double sums within a
// tolerance derived from the magnitudes of their terms.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "CCosineKernels.h"
#include "check.h"
#pragma clang fp contract(off)

static const int64_t kSizes[] = {0, 1, 3, 4, 7, 17, 33, 64, 100, 257};
enum { kRows = 5, kSizeCount = sizeof kSizes / sizeof kSizes[0] };

/// Reference row sums of x·y, x² and y² in double, with tolerances for sums accumulated with
/// unit roundoff `u` (f32/f64 kernels: double; f16: float) over n terms in any order.
static void ref_rowsums(const double *x, const double *y, int64_t rows, int64_t n, double u,
                        double *ref, double *tol) {
  for (int64_t r = 0; r < rows; r++) {
    double s[3] = {0, 0, 0}, m[3] = {0, 0, 0};
    for (int64_t i = 0; i < n; i++) {
      const double a = x[r * n + i], b = y[r * n + i];
      s[0] += a * b, s[1] += a * a, s[2] += b * b;
      m[0] += fabs(a * b), m[1] += a * a, m[2] += b * b;
    }
    for (int j = 0; j < 3; j++) {
      ref[3 * r + j] = s[j];
      tol[3 * r + j] = 2.0 * (double)(n + 4) * u * m[j] + 0x1p-1074;
    }
  }
}

static void check_rowsums(int64_t n, int kind) {
  char name[96];
  kc_rng g = kc_seed("rowsums", (uint64_t)(n * 4 + kind));
  const int64_t len = kRows * n;
  float *a32 = kc_alloc((size_t)len * 4), *b32 = kc_alloc((size_t)len * 4);
  double *a64 = kc_alloc((size_t)len * 8), *b64 = kc_alloc((size_t)len * 8);
  uint16_t *a16 = kc_alloc((size_t)len * 2), *b16 = kc_alloc((size_t)len * 2);
  double *x = kc_alloc((size_t)len * 8), *y = kc_alloc((size_t)len * 8);
  double out[3 * kRows], ref[3 * kRows], tol[3 * kRows];
  kc_fill_f32(a32, len, &g, kind), kc_fill_f32(b32, len, &g, kind);
  kc_fill_f64(a64, len, &g, kind), kc_fill_f64(b64, len, &g, kind);
  kc_fill_f16(a16, len, &g, kind), kc_fill_f16(b16, len, &g, kind);

  for (int64_t i = 0; i < len; i++) x[i] = a32[i], y[i] = b32[i];
  ref_rowsums(x, y, kRows, n, KC_U64, ref, tol);
  ck_rowsums_f32(a32, b32, kRows, (size_t)n, out);
  snprintf(name, sizeof name, "rowsums_f32/n%lld/k%d", (long long)n, kind);
  kc_check(kc_close_f64(name, out, ref, tol, 3 * kRows) < 0, name, "outside the tolerance");
  kc_digest_f64(KC_TOLERANCE, name, out, 3 * kRows);

  ref_rowsums(a64, b64, kRows, n, KC_U64, ref, tol);
  ck_rowsums_f64(a64, b64, kRows, (size_t)n, out);
  snprintf(name, sizeof name, "rowsums_f64/n%lld/k%d", (long long)n, kind);
  kc_check(kc_close_f64(name, out, ref, tol, 3 * kRows) < 0, name, "outside the tolerance");
  kc_digest_f64(KC_TOLERANCE, name, out, 3 * kRows);

  for (int64_t i = 0; i < len; i++) x[i] = kc_ref_half_to_float(a16[i]), y[i] = kc_ref_half_to_float(b16[i]);
  ref_rowsums(x, y, kRows, n, KC_U32, ref, tol);
  ck_rowsums_f16(a16, b16, kRows, (size_t)n, out);
  snprintf(name, sizeof name, "rowsums_f16/n%lld/k%d", (long long)n, kind);
  kc_check(kc_close_f64(name, out, ref, tol, 3 * kRows) < 0, name, "outside the tolerance");
  kc_digest_f64(KC_TOLERANCE, name, out, 3 * kRows);
  free(a32), free(b32), free(a64), free(b64), free(a16), free(b16), free(x), free(y);
}

/// Gradient coefficients: random, with an edge value (zero, huge, NaN) in some rows.
static void fill_coef(double *coef, int64_t count, kc_rng *g, int kind) {
  kc_fill_f64(coef, count, g, KC_RANDOM);
  for (int64_t i = 0; i < count; i++) coef[i] *= 4;
  if (kind != KC_RANDOM) coef[1] = 0, coef[4] = 1e30, coef[count - 1] = kind == KC_EDGE ? NAN : -1e-30;
}

static void check_rowgrad_scale(int64_t n, int kind) {
  char name[96];
  kc_rng g = kc_seed("rowgrad", (uint64_t)(n * 4 + kind));
  const int64_t len = kRows * n;
  float *a32 = kc_alloc((size_t)len * 4), *b32 = kc_alloc((size_t)len * 4);
  float *ga32 = kc_alloc((size_t)len * 4), *gb32 = kc_alloc((size_t)len * 4);
  float *ra32 = kc_alloc((size_t)len * 4), *rb32 = kc_alloc((size_t)len * 4);
  double *a64 = kc_alloc((size_t)len * 8), *b64 = kc_alloc((size_t)len * 8);
  double *ga64 = kc_alloc((size_t)len * 8), *gb64 = kc_alloc((size_t)len * 8);
  double *ra64 = kc_alloc((size_t)len * 8), *rb64 = kc_alloc((size_t)len * 8);
  uint16_t *a16 = kc_alloc((size_t)len * 2), *b16 = kc_alloc((size_t)len * 2);
  uint16_t *ga16 = kc_alloc((size_t)len * 2), *gb16 = kc_alloc((size_t)len * 2);
  uint16_t *ra16 = kc_alloc((size_t)len * 2), *rb16 = kc_alloc((size_t)len * 2);
  double coef[4 * kRows], scale[kRows];
  kc_fill_f32(a32, len, &g, kind), kc_fill_f32(b32, len, &g, kind);
  kc_fill_f64(a64, len, &g, kind), kc_fill_f64(b64, len, &g, kind);
  kc_fill_f16(a16, len, &g, kind), kc_fill_f16(b16, len, &g, kind);
  fill_coef(coef, 4 * kRows, &g, kind);
  fill_coef(scale, kRows, &g, kind);

  for (int64_t r = 0; r < kRows; r++) {
    const double ca = coef[4 * r], da = coef[4 * r + 1], cb = coef[4 * r + 2], db = coef[4 * r + 3];
    const float fa = (float)ca, fda = (float)da, fb = (float)cb, fdb = (float)db;
    for (int64_t i = r * n; i < (r + 1) * n; i++) {
      const double x = a32[i], y = b32[i];
      ra32[i] = (float)(ca * y - da * x), rb32[i] = (float)(cb * x - db * y);
      ra64[i] = ca * b64[i] - da * a64[i], rb64[i] = cb * a64[i] - db * b64[i];
      const float hx = kc_ref_half_to_float(a16[i]), hy = kc_ref_half_to_float(b16[i]);
      ra16[i] = kc_ref_float_to_half(fa * hy - fda * hx), rb16[i] = kc_ref_float_to_half(fb * hx - fdb * hy);
    }
  }
  ck_rowgrad_f32(a32, b32, kRows, (size_t)n, coef, ga32, gb32);
  snprintf(name, sizeof name, "rowgrad_f32/n%lld/k%d", (long long)n, kind);
  kc_check(kc_same_f32(name, ga32, ra32, len) < 0 && kc_same_f32(name, gb32, rb32, len) < 0, name,
           "not the specified operations' bits");
  kc_digest_f32(KC_BITWISE, name, ga32, len);
  ck_rowgrad_f64(a64, b64, kRows, (size_t)n, coef, ga64, NULL);
  ck_rowgrad_f64(a64, b64, kRows, (size_t)n, coef, NULL, gb64);
  snprintf(name, sizeof name, "rowgrad_f64/n%lld/k%d", (long long)n, kind);
  kc_check(kc_same_f64(name, ga64, ra64, len) < 0 && kc_same_f64(name, gb64, rb64, len) < 0, name,
           "not the specified operations' bits");
  kc_digest_f64(KC_BITWISE, name, gb64, len);
  ck_rowgrad_f16(a16, b16, kRows, (size_t)n, coef, ga16, gb16);
  snprintf(name, sizeof name, "rowgrad_f16/n%lld/k%d", (long long)n, kind);
  kc_check(kc_same_f16(name, ga16, ra16, len) < 0 && kc_same_f16(name, gb16, rb16, len) < 0, name,
           "not the specified operations' bits");
  kc_digest_f16(KC_BITWISE, name, gb16, len);

  for (int64_t r = 0; r < kRows; r++)
    for (int64_t i = r * n; i < (r + 1) * n; i++) {
      ra32[i] = (float)(scale[r] * (double)a32[i]);
      ra64[i] = scale[r] * a64[i];
      ra16[i] = kc_ref_float_to_half((float)scale[r] * kc_ref_half_to_float(a16[i]));
    }
  // In place: the output is the input array.
  ck_rowscale_f32(a32, kRows, (size_t)n, scale, a32);
  ck_rowscale_f64(a64, kRows, (size_t)n, scale, ga64);
  ck_rowscale_f16(a16, kRows, (size_t)n, scale, ga16);
  snprintf(name, sizeof name, "rowscale/n%lld/k%d", (long long)n, kind);
  kc_check(kc_same_f32(name, a32, ra32, len) < 0 && kc_same_f64(name, ga64, ra64, len) < 0 &&
               kc_same_f16(name, ga16, ra16, len) < 0,
           name, "not the specified operations' bits");
  kc_digest_f32(KC_BITWISE, name, a32, len);
  free(a32), free(b32), free(ga32), free(gb32), free(ra32), free(rb32);
  free(a64), free(b64), free(ga64), free(gb64), free(ra64), free(rb64);
  free(a16), free(b16), free(ga16), free(gb16), free(ra16), free(rb16);
}

static void check_columns(int64_t n, int kind) {
  char name[96];
  kc_rng g = kc_seed("columns", (uint64_t)(n * 4 + kind));
  float *a = kc_alloc((size_t)n * 4 + 4), *b = kc_alloc((size_t)n * 4 + 4);
  float *ga = kc_alloc((size_t)n * 4 + 4), *gb = kc_alloc((size_t)n * 4 + 4);
  float *ra = kc_alloc((size_t)n * 4 + 4), *rb = kc_alloc((size_t)n * 4 + 4);
  double *acc = kc_alloc((size_t)n * 48 + 8), *ref = kc_alloc((size_t)n * 24 + 8);
  double *c = kc_alloc((size_t)n * 32 + 8);
  kc_fill_f32(a, n, &g, kind), kc_fill_f32(b, n, &g, kind);
  kc_fill_f64(acc, 3 * n, &g, KC_RANDOM), kc_fill_f64(c, 4 * n, &g, KC_RANDOM);
  for (int64_t i = 0; i < n; i++) {
    const double x = a[i], y = b[i];
    ref[i] = acc[i] + x * y, ref[n + i] = acc[n + i] + x * x, ref[2 * n + i] = acc[2 * n + i] + y * y;
    ra[i] = (float)(c[i] * y - c[n + i] * x), rb[i] = (float)(c[2 * n + i] * x - c[3 * n + i] * y);
  }
  ck_colsums_f32(a, b, (size_t)n, acc, acc + n, acc + 2 * n);
  snprintf(name, sizeof name, "colsums_f32/n%lld/k%d", (long long)n, kind);
  kc_check(kc_same_f64(name, acc, ref, 3 * n) < 0, name, "not the specified operations' bits");
  kc_digest_f64(KC_TOLERANCE, name, acc, 3 * n);
  ck_colgrad_f32(a, b, (size_t)n, c, c + n, c + 2 * n, c + 3 * n, ga, gb);
  snprintf(name, sizeof name, "colgrad_f32/n%lld/k%d", (long long)n, kind);
  kc_check(kc_same_f32(name, ga, ra, n) < 0 && kc_same_f32(name, gb, rb, n) < 0, name,
           "not the specified operations' bits");
  kc_digest_f32(KC_BITWISE, name, ga, n);
  free(a), free(b), free(ga), free(gb), free(ra), free(rb), free(acc), free(ref), free(c);
}

static void check_sumsq(int64_t d, int kind) {
  char name[96];
  kc_rng g = kc_seed("sumsq", (uint64_t)(d * 4 + kind));
  const int64_t len = kRows * d;
  float *x32 = kc_alloc((size_t)len * 4);
  double *x64 = kc_alloc((size_t)len * 8), *x = kc_alloc((size_t)len * 8);
  uint16_t *x16 = kc_alloc((size_t)len * 2);
  double out[kRows], ref[kRows], tol[kRows];
  kc_fill_f32(x32, len, &g, kind), kc_fill_f64(x64, len, &g, kind), kc_fill_f16(x16, len, &g, kind);
  for (int t = 0; t < 3; t++) {
    for (int64_t i = 0; i < len; i++) x[i] = t == 0 ? x32[i] : (t == 1 ? x64[i] : kc_ref_half_to_float(x16[i]));
    for (int64_t r = 0; r < kRows; r++) {
      double s = 0;
      for (int64_t k = 0; k < d; k++) s += x[r * d + k] * x[r * d + k];
      ref[r] = s, tol[r] = 2.0 * (double)(d + 32) * KC_U64 * s + 0x1p-1074;
    }
    if (t == 0) ck_sumsq_f32(x32, kRows, d, out);
    if (t == 1) ck_sumsq_f64(x64, kRows, d, out);
    if (t == 2) ck_sumsq_f16(x16, kRows, d, out);
    snprintf(name, sizeof name, "sumsq_%s/d%lld/k%d", t == 0 ? "f32" : (t == 1 ? "f64" : "f16"),
             (long long)d, kind);
    kc_check(kc_close_f64(name, out, ref, tol, kRows) < 0, name, "outside the tolerance");
    kc_digest_f64(KC_BITWISE, name, out, kRows);
  }
  free(x32), free(x64), free(x), free(x16);
}

void kc_check_rows(void) {
  for (int s = 0; s < kSizeCount; s++)
    for (int kind = KC_RANDOM; kind <= KC_EDGE; kind++) {
      check_rowsums(kSizes[s], kind);
      check_rowgrad_scale(kSizes[s], kind);
      check_columns(kSizes[s], kind);
      check_sumsq(kSizes[s], kind);
    }
}
