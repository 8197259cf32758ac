#include <string.h>
#include "../convert/half.h"
#include "internal.h"
#pragma clang fp contract(off)

// MARK: Sums of squares
//
// Element k of a row goes to partial sum k mod 32; the partials are then added in a fixed
// tree. The AVX-512 versions keep exactly this order, so every level gives the same bits.

static inline double reduce32(double p[32]) {
  for (int w = 16; w >= 1; w /= 2)
    for (int j = 0; j < w; j++) p[j] = p[j] + p[j + w];
  return p[0];
}

void ck_sumsq_f64(const double *x, int64_t rows, int64_t d, double *out) {
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
      const double v = ck_half_to_float(xr[k]);
      p[k & 31] = p[k & 31] + v * v;
    }
    out[r] = reduce32(p);
  }
}

void ck_sumsq_f32(const float *x, int64_t rows, int64_t d, double *out) {
#if defined(__x86_64__)
  if (ck_level() == 2) return ck_sumsq_f32_avx512(x, rows, d, out);
#endif
  sumsq_f32_portable(x, rows, d, out);
}

void ck_sumsq_f16(const uint16_t *x, int64_t rows, int64_t d, double *out) {
#if defined(__x86_64__)
  if (ck_level() == 2) return ck_sumsq_f16_avx512(x, rows, d, out);
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

void ck_pack_f32(const float *x, int64_t rows, int64_t d, const double *pre, const double *post,
                 int64_t w, float *dest) {
#if defined(__x86_64__)
  if (!pre && ck_level() == 2) return ck_pack_f32_avx512(x, rows, d, post, w, dest);
#endif
  pack_f32_portable(x, rows, d, pre, post, w, dest);
}

void ck_pack_f16(const uint16_t *x, int64_t rows, int64_t d, const double *pre,
                 const double *post, int64_t w, float *dest) {
  const int64_t panels = (rows + w - 1) / w;
  for (int64_t p = 0; p < panels; p++) {
    float *dp = dest + p * w * d;
    const int64_t r0 = p * w, n = rows - r0 < w ? rows - r0 : w;
    for (int64_t r = 0; r < n; r++) {
      const uint16_t *xr = x + (r0 + r) * d;
      const double f1 = pre ? pre[r0 + r] : 1.0, f2 = post[r0 + r];
      for (int64_t k = 0; k < d; k++)
        dp[k * w + r] = (float)(((double)ck_half_to_float(xr[k]) * f1) * f2);
    }
    for (int64_t r = n; r < w; r++)
      for (int64_t k = 0; k < d; k++) dp[k * w + r] = 0;
  }
}

void ck_pack_f64(const double *x, int64_t rows, int64_t d, const double *pre, const double *post,
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

void ck_split_panels_f32(const float *panels, int64_t npanels, int64_t d, int64_t w, uint16_t *hi,
                         uint16_t *lo) {
#if defined(__x86_64__)
  if (w == 32 && ck_level() == 2) return ck_split_panels_f32_avx512(panels, npanels, d, hi, lo);
#endif
  int64_t slot[64];
  for (int64_t r = 0; r < w && r < 64; r++) slot[r] = ck_split_slot(r, w);
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

void ck_gather_panels_f32(const float *x, int64_t d, const int32_t *rows, int64_t n, int64_t w, float *dest) {
  for (int64_t p0 = 0; p0 < n; p0 += w) {
    const int64_t lanes = n - p0 < w ? n - p0 : w;
    float *panel = dest + p0 * d;
    const float *src[16];
    for (int64_t r = 0; r < lanes; r++) src[r] = x + (int64_t)rows[p0 + r] * d;
    for (int64_t k = 0; k < d; k++)
      for (int64_t r = 0; r < w; r++) panel[k * w + r] = r < lanes ? src[r][k] : 0.0f;
  }
}

void ck_join_panels_f32(const uint16_t *hi, const uint16_t *lo, int64_t npanels, int64_t d, int64_t w,
                        float *panels) {
  int64_t slot[64];
  for (int64_t r = 0; r < w && r < 64; r++) slot[r] = ck_split_slot(r, w);
  for (int64_t row = 0; row < npanels * d; row++) {
    const uint16_t *h = hi + row * w, *l = lo + row * w;
    float *dst = panels + row * w;
    for (int64_t r = 0; r < w; r++) {
      const uint32_t u = (uint32_t)h[slot[r]] << 16 | l[slot[r]];
      memcpy(dst + r, &u, 4);
    }
  }
}
