// Portable scalar kernels: the fallback on CPUs without AVX2/AVX-512 and on other
// architectures, and the reference path behind ck_set_simd_enabled(0).
//
// Same semantics as the SIMD kernels: f32/f64 accumulate in double, f16 in float; the
// element-wise kernels evaluate exactly the same operations (two products and a difference,
// no fused multiply-add), so they give bit-identical results to the SIMD kernels.
#include "ck_internal.h"
#include <string.h>

// Keep `x*y - z*w` as two roundings of products and one of the difference on every target
// (no contraction into fma), like the SIMD kernels.
// (GCC ignores the STDC pragma; it only contracts with -ffp-contract=fast on FMA targets.)
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

// ---------------------------------------------------------------------------------------------
// binary16 <-> binary32, portable (no _Float16).

static inline float bits_to_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline uint32_t f32_to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/// Exact conversion of a binary16 bit pattern to float. NaNs are quieted (payload kept),
/// as vcvtph2ps does. Written with selects rather than branches so loops over it vectorize;
/// does not depend on the denormals-are-zero mode (no subnormal float is ever an operand).
static inline float ck_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t em = h & 0x7fffu;                                  // exponent and mantissa
  uint32_t exp = em & 0x7c00u;
  uint32_t normal = (em << 13) + (112u << 23);                // rebias 15 -> 127
  uint32_t special = (em << 13) | 0x7f800000u | ((em & 0x3ffu) ? 0x400000u : 0u);  // inf / quiet NaN
  uint32_t tiny = f32_to_bits((float)(int32_t)em * 0x1p-24f);  // zero or subnormal: exact
  uint32_t mag = exp == 0 ? tiny : (exp == 0x7c00u ? special : normal);
  return bits_to_f32(mag | sign);
}

/// float -> binary16, rounding to nearest even, overflow to infinity, subnormals kept,
/// NaNs quieted (top payload bits kept), as vcvtps2ph with imm 0 does.
static inline uint16_t ck_f32_to_f16(float f) {
  uint32_t x = f32_to_bits(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) {
    if (ax == 0x7f800000u) return (uint16_t)(sign | 0x7c00u);
    return (uint16_t)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));
  }
  // 65520 = 65504 + half an ulp: from there on the nearest-even result is infinity.
  if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);
  if (ax >= 0x38800000u) {
    // Normal half (|f| >= 2^-14): rebias, round the 13 dropped bits to nearest even.
    // A carry out of the mantissa correctly bumps the exponent.
    uint32_t h = ((ax >> 13) - (112u << 10));
    uint32_t rest = ax & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h += 1;
    return (uint16_t)(sign | h);
  }
  // |f| < 2^-14: subnormal half (or zero). Units of 2^-24.
  if (ax < 0x33000000u) return (uint16_t)sign;  // |f| <= 2^-25 rounds to zero (tie to even)
  uint32_t e = ax >> 23;                          // 102 ... 112
  uint32_t m = (ax & 0x7fffffu) | 0x800000u;      // f = m * 2^(e-150)
  uint32_t shift = 126u - e;                      // 14 ... 24
  uint32_t h = m >> shift;
  uint32_t rest = m & ((1u << shift) - 1u);
  uint32_t halfway = 1u << (shift - 1u);
  if (rest > halfway || (rest == halfway && (h & 1u))) h += 1;  // may carry into 0x400: min normal
  return (uint16_t)(sign | h);
}

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
        float x = ck_f16_to_f32(pa[i + k]), y = ck_f16_to_f32(pb[i + k]);
        ab[k] += x * y;
        aa[k] += x * x;
        bb[k] += y * y;
      }
    }
    for (; i < n; i++) {
      float x = ck_f16_to_f32(pa[i]), y = ck_f16_to_f32(pb[i]);
      ab[0] += x * y;
      aa[0] += x * x;
      bb[0] += y * y;
    }
    out[3 * r + 0] = ((double)ab[0] + ab[1]) + ((double)ab[2] + ab[3]);
    out[3 * r + 1] = ((double)aa[0] + aa[1]) + ((double)aa[2] + aa[3]);
    out[3 * r + 2] = ((double)bb[0] + bb[1]) + ((double)bb[2] + bb[3]);
  }
}

static void rowsumsq_f32(const float *x, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const float *p = x + r * n;
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (int k = 0; k < 4; k++) {
        double v = p[i + k];
        s[k] += v * v;
      }
    for (; i < n; i++) {
      double v = p[i];
      s[0] += v * v;
    }
    out[r] = (s[0] + s[1]) + (s[2] + s[3]);
  }
}

static void rowsumsq_f64(const double *x, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const double *p = x + r * n;
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (int k = 0; k < 4; k++) {
        double v = p[i + k];
        s[k] += v * v;
      }
    for (; i < n; i++) {
      double v = p[i];
      s[0] += v * v;
    }
    out[r] = (s[0] + s[1]) + (s[2] + s[3]);
  }
}

static void rowsumsq_f16(const uint16_t *x, size_t rows, size_t n, double *out) {
  for (size_t r = 0; r < rows; r++) {
    const uint16_t *p = x + r * n;
    float s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (int k = 0; k < 4; k++) {
        float v = ck_f16_to_f32(p[i + k]);
        s[k] += v * v;
      }
    for (; i < n; i++) {
      float v = ck_f16_to_f32(p[i]);
      s[0] += v * v;
    }
    out[r] = ((double)s[0] + s[1]) + ((double)s[2] + s[3]);
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
      float x = ck_f16_to_f32(a[base + i]), y = ck_f16_to_f32(b[base + i]);
      if (ga) ga[base + i] = ck_f32_to_f16(ca * y - da * x);
      if (gb) gb[base + i] = ck_f32_to_f16(cb * x - db * y);
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
    for (size_t i = 0; i < n; i++) out[base + i] = ck_f32_to_f16(s * ck_f16_to_f32(x[base + i]));
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
  rowsumsq_f32, rowsumsq_f64, rowsumsq_f16,
  rowgrad_f32, rowgrad_f64, rowgrad_f16,
  rowscale_f32, rowscale_f64, rowscale_f16,
  ck_scalar_colsums_f32, ck_scalar_colgrad_f32,
};
