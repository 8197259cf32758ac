// Portable scalar kernels: the fallback on CPUs without AVX2/AVX-512 and on other
// architectures, and the reference path at kernel level 0 (ck_set_thread_level_limit(0)).
//
// Same semantics as the SIMD kernels: f32/f64 accumulate in double, f16 in float; the
// element-wise kernels evaluate exactly the same operations (two products and a difference,
// no fused multiply-add), so they give bit-identical results to the SIMD kernels.
#include "../convert/half.h"
#include "rows_internal.h"

// Keep `x*y - z*w` as two roundings of products and one of the difference on every target
// (no contraction into fma), like the SIMD kernels.
// (GCC ignores the STDC pragma; it only contracts with -ffp-contract=fast on FMA targets.)
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

// ---------------------------------------------------------------------------------------------
// Reductions. Four partial sums per quantity: shorter rounding chains (and some speed).

static void rowsums_f32(const float *a, const float *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const float *pa = a + r * n, *pb = b + r * n;
    double ab[4] = {0, 0, 0, 0}, aa[4] = {0, 0, 0, 0}, bb[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      for (int k = 0; k < 4; k++) {
        double x = pa[i + k], y = pb[i + k];
        ab[k] += x * y;
        aa[k] += x * x;
        bb[k] += y * y;
      }
    }
    for (; i < n; i++) {
      double x = pa[i], y = pb[i];
      ab[0] += x * y;
      aa[0] += x * x;
      bb[0] += y * y;
    }
    out[3 * r + 0] = (ab[0] + ab[1]) + (ab[2] + ab[3]);
    out[3 * r + 1] = (aa[0] + aa[1]) + (aa[2] + aa[3]);
    out[3 * r + 2] = (bb[0] + bb[1]) + (bb[2] + bb[3]);
  }
}

static void rowsums_f64(const double *a, const double *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const double *pa = a + r * n, *pb = b + r * n;
    double ab[4] = {0, 0, 0, 0}, aa[4] = {0, 0, 0, 0}, bb[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      for (int k = 0; k < 4; k++) {
        double x = pa[i + k], y = pb[i + k];
        ab[k] += x * y;
        aa[k] += x * x;
        bb[k] += y * y;
      }
    }
    for (; i < n; i++) {
      double x = pa[i], y = pb[i];
      ab[0] += x * y;
      aa[0] += x * x;
      bb[0] += y * y;
    }
    out[3 * r + 0] = (ab[0] + ab[1]) + (ab[2] + ab[3]);
    out[3 * r + 1] = (aa[0] + aa[1]) + (aa[2] + aa[3]);
    out[3 * r + 2] = (bb[0] + bb[1]) + (bb[2] + bb[3]);
  }
}

static void rowsums_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const uint16_t *pa = a + r * n, *pb = b + r * n;
    float ab[4] = {0, 0, 0, 0}, aa[4] = {0, 0, 0, 0}, bb[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      for (int k = 0; k < 4; k++) {
        float x = ck_half_to_float(pa[i + k]), y = ck_half_to_float(pb[i + k]);
        ab[k] += x * y;
        aa[k] += x * x;
        bb[k] += y * y;
      }
    }
    for (; i < n; i++) {
      float x = ck_half_to_float(pa[i]), y = ck_half_to_float(pb[i]);
      ab[0] += x * y;
      aa[0] += x * x;
      bb[0] += y * y;
    }
    out[3 * r + 0] = ((double)ab[0] + ab[1]) + ((double)ab[2] + ab[3]);
    out[3 * r + 1] = ((double)aa[0] + aa[1]) + ((double)aa[2] + aa[3]);
    out[3 * r + 2] = ((double)bb[0] + bb[1]) + ((double)bb[2] + bb[3]);
  }
}

// ---------------------------------------------------------------------------------------------
// Element-wise kernels. Each element is loaded before its outputs are stored, so an output
// may alias an input element-for-element.

static void rowgrad_f32(const float *a, const float *b, size_t rows, size_t n, const double *coef,
                        float *ga, float *gb) {
  for (size_t r = 0; r < rows; r++) {
    const double ca = coef[4 * r + 0], da = coef[4 * r + 1], cb = coef[4 * r + 2], db = coef[4 * r + 3];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) {
      double x = a[base + i], y = b[base + i];
      if (ga) ga[base + i] = (float)(ca * y - da * x);
      if (gb) gb[base + i] = (float)(cb * x - db * y);
    }
  }
}

static void rowgrad_f64(const double *a, const double *b, size_t rows, size_t n, const double *coef,
                        double *ga, double *gb) {
  for (size_t r = 0; r < rows; r++) {
    const double ca = coef[4 * r + 0], da = coef[4 * r + 1], cb = coef[4 * r + 2], db = coef[4 * r + 3];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) {
      double x = a[base + i], y = b[base + i];
      if (ga) ga[base + i] = ca * y - da * x;
      if (gb) gb[base + i] = cb * x - db * y;
    }
  }
}

static void rowgrad_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, const double *coef,
                        uint16_t *ga, uint16_t *gb) {
  for (size_t r = 0; r < rows; r++) {
    const float ca = (float)coef[4 * r + 0], da = (float)coef[4 * r + 1];
    const float cb = (float)coef[4 * r + 2], db = (float)coef[4 * r + 3];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) {
      float x = ck_half_to_float(a[base + i]), y = ck_half_to_float(b[base + i]);
      if (ga) ga[base + i] = ck_float_to_half(ca * y - da * x);
      if (gb) gb[base + i] = ck_float_to_half(cb * x - db * y);
    }
  }
}

static void rowscale_f32(const float *x, size_t rows, size_t n, const double *scale, float *out) {
  for (size_t r = 0; r < rows; r++) {
    const double s = scale[r];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) out[base + i] = (float)(s * (double)x[base + i]);
  }
}

static void rowscale_f64(const double *x, size_t rows, size_t n, const double *scale, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const double s = scale[r];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) out[base + i] = s * x[base + i];
  }
}

static void rowscale_f16(const uint16_t *x, size_t rows, size_t n, const double *scale, uint16_t *out) {
  for (size_t r = 0; r < rows; r++) {
    const float s = (float)scale[r];
    const size_t base = r * n;
    for (size_t i = 0; i < n; i++) out[base + i] = ck_float_to_half(s * ck_half_to_float(x[base + i]));
  }
}

// ---------------------------------------------------------------------------------------------
// Column kernels.

void ck_scalar_colsums_f32(const float *a, const float *b, size_t n, double *d, double *q1, double *q2) {
  for (size_t i = 0; i < n; i++) {
    double x = a[i], y = b[i];
    d[i] += x * y;
    q1[i] += x * x;
    q2[i] += y * y;
  }
}

void ck_scalar_colgrad_f32(const float *a, const float *b, size_t n, const double *ca, const double *da,
                           const double *cb, const double *db, float *ga, float *gb) {
  for (size_t i = 0; i < n; i++) {
    double x = a[i], y = b[i];
    if (ga) ga[i] = (float)(ca[i] * y - da[i] * x);
    if (gb) gb[i] = (float)(cb[i] * x - db[i] * y);
  }
}

const ck_kernels ck_kernels_scalar = {
  "scalar",
  rowsums_f32, rowsums_f64, rowsums_f16,
  rowgrad_f32, rowgrad_f64, rowgrad_f16,
  rowscale_f32, rowscale_f64, rowscale_f16,
  ck_scalar_colsums_f32, ck_scalar_colgrad_f32,
};
