#include <string.h>
#include "internal.h"
#pragma clang fp contract(off)

// MARK: Half precision

static inline float half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    const float f = (float)man * 0x1p-24f;  // zero or subnormal, exact
    return sign ? -f : f;
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (man << 13);
  } else {
    bits = sign | ((exp + 112u) << 23) | (man << 13);
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

static inline uint16_t float_to_half(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));  // NaN
  if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);  // rounds to infinity
  if (ax < 0x38800000u) {  // below the smallest normal half: a multiple of 2^-24
    float v;
    memcpy(&v, &ax, 4);
    return (uint16_t)(sign | (uint32_t)__builtin_rintf(v * 0x1p24f));
  }
  uint32_t h = (ax - 0x38000000u) >> 13;
  const uint32_t rem = ax & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
  return (uint16_t)(sign | h);
}

void cg_f16_to_f32(const uint16_t *x, int64_t n, float *out) {
  for (int64_t i = 0; i < n; i++) out[i] = half_to_float(x[i]);
}

void cg_f32_to_f16(const float *x, int64_t n, uint16_t *out) {
  for (int64_t i = 0; i < n; i++) out[i] = float_to_half(x[i]);
}

// MARK: Sums of squares
//
// Element k of a row goes to partial sum k mod 32; the partials are then added in a fixed
// tree. The AVX-512 versions keep exactly this order, so every level gives the same bits.

static inline double reduce32(double p[32]) {
  for (int w = 16; w >= 1; w /= 2)
    for (int j = 0; j < w; j++) p[j] = p[j] + p[j + w];
  return p[0];
}

void cg_sumsq_f64(const double *x, int64_t rows, int64_t d, double *out) {
  for (int64_t r = 0; r < rows; r++) {
    const double *xr = x + r * d;
    double p[32] = {0};
    for (int64_t k = 0; k < d; k++) {
      const double v = xr[k];
      p[k & 31] = p[k & 31] + v * v;
    }
    out[r] = reduce32(p);
  }
}

static void sumsq_f32_portable(const float *x, int64_t rows, int64_t d, double *out) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    double p[32] = {0};
    for (int64_t k = 0; k < d; k++) {
      const double v = xr[k];
      p[k & 31] = p[k & 31] + v * v;
    }
    out[r] = reduce32(p);
  }
}

static void sumsq_f16_portable(const uint16_t *x, int64_t rows, int64_t d, double *out) {
  for (int64_t r = 0; r < rows; r++) {
    const uint16_t *xr = x + r * d;
    double p[32] = {0};
    for (int64_t k = 0; k < d; k++) {
      const double v = half_to_float(xr[k]);
      p[k & 31] = p[k & 31] + v * v;
    }
    out[r] = reduce32(p);
  }
}

void cg_sumsq_f32(const float *x, int64_t rows, int64_t d, double *out) {
#if defined(__x86_64__)
  if (cg_level() == 2) return cg_sumsq_f32_avx512(x, rows, d, out);
#endif
  sumsq_f32_portable(x, rows, d, out);
}

void cg_sumsq_f16(const uint16_t *x, int64_t rows, int64_t d, double *out) {
#if defined(__x86_64__)
  if (cg_level() == 2) return cg_sumsq_f16_avx512(x, rows, d, out);
#endif
  sumsq_f16_portable(x, rows, d, out);
}

// MARK: Packing

static void pack_f32_portable(const float *x, int64_t rows, int64_t d, const double *pre,
                              const double *post, int64_t w, float *dest) {
  const int64_t panels = (rows + w - 1) / w;
  for (int64_t p = 0; p < panels; p++) {
    float *dp = dest + p * w * d;
    const int64_t r0 = p * w, n = rows - r0 < w ? rows - r0 : w;
    for (int64_t r = 0; r < n; r++) {
      const float *xr = x + (r0 + r) * d;
      const double f1 = pre ? pre[r0 + r] : 1.0, f2 = post[r0 + r];
      for (int64_t k = 0; k < d; k++) dp[k * w + r] = (float)(((double)xr[k] * f1) * f2);
    }
    for (int64_t r = n; r < w; r++)
      for (int64_t k = 0; k < d; k++) dp[k * w + r] = 0;
  }
}

void cg_pack_f32(const float *x, int64_t rows, int64_t d, const double *pre, const double *post,
                 int64_t w, float *dest) {
#if defined(__x86_64__)
  if (!pre && cg_level() == 2) return cg_pack_f32_avx512(x, rows, d, post, w, dest);
#endif
  pack_f32_portable(x, rows, d, pre, post, w, dest);
}

void cg_pack_f16(const uint16_t *x, int64_t rows, int64_t d, const double *pre,
                 const double *post, int64_t w, float *dest) {
  const int64_t panels = (rows + w - 1) / w;
  for (int64_t p = 0; p < panels; p++) {
    float *dp = dest + p * w * d;
    const int64_t r0 = p * w, n = rows - r0 < w ? rows - r0 : w;
    for (int64_t r = 0; r < n; r++) {
      const uint16_t *xr = x + (r0 + r) * d;
      const double f1 = pre ? pre[r0 + r] : 1.0, f2 = post[r0 + r];
      for (int64_t k = 0; k < d; k++)
        dp[k * w + r] = (float)(((double)half_to_float(xr[k]) * f1) * f2);
    }
    for (int64_t r = n; r < w; r++)
      for (int64_t k = 0; k < d; k++) dp[k * w + r] = 0;
  }
}

void cg_pack_f64(const double *x, int64_t rows, int64_t d, const double *pre, const double *post,
                 int64_t w, double *dest) {
  const int64_t panels = (rows + w - 1) / w;
  for (int64_t p = 0; p < panels; p++) {
    double *dp = dest + p * w * d;
    const int64_t r0 = p * w, n = rows - r0 < w ? rows - r0 : w;
    for (int64_t r = 0; r < n; r++) {
      const double *xr = x + (r0 + r) * d;
      const double f1 = pre ? pre[r0 + r] : 1.0, f2 = post[r0 + r];
      for (int64_t k = 0; k < d; k++) dp[k * w + r] = (xr[k] * f1) * f2;
    }
    for (int64_t r = n; r < w; r++)
      for (int64_t k = 0; k < d; k++) dp[k * w + r] = 0;
  }
}

// MARK: Split panels

void cg_split_panels_f32(const float *panels, int64_t npanels, int64_t d, int64_t w, uint16_t *hi,
                         uint16_t *lo) {
  int64_t slot[64];
  for (int64_t r = 0; r < w && r < 64; r++) slot[r] = cg_split_slot(r, w);
  for (int64_t row = 0; row < npanels * d; row++) {
    const float *src = panels + row * w;
    uint16_t *h = hi + row * w, *l = lo + row * w;
    for (int64_t r = 0; r < w; r++) {
      uint32_t u;
      memcpy(&u, src + r, 4);
      h[slot[r]] = (uint16_t)(u >> 16);
      l[slot[r]] = (uint16_t)u;
    }
  }
}
