// Packing and the packed GEMM (ck_gemm.h): the packed values against the specified rounding,
// every score against the exact fused multiply-add chain (bitwise: the header promises the same
// bits on every path) and against a double-precision dot product of the rows within a
// tolerance from their magnitudes; the width checks.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CCosineKernels.h"
#include "check.h"
#pragma clang fp contract(off)

static void kc_norm_factors(const double *x, int64_t rows, int64_t d, double *post) {
  for (int64_t r = 0; r < rows; r++) {
    double s = 0;
    for (int64_t k = 0; k < d; k++) s += x[r * d + k] * x[r * d + k];
    post[r] = s > 0 && s < INFINITY ? 1 / sqrt(s) : (s == 0 ? 1 : 0);
  }
}

float *kc_pack_rows_f32(const float *x, int64_t rows, int64_t d, int64_t w, double *post) {
  double *xd = kc_alloc((size_t)(rows * d) * 8);
  for (int64_t i = 0; i < rows * d; i++) xd[i] = x[i];
  kc_norm_factors(xd, rows, d, post);
  float *p = kc_alloc((size_t)(((rows + w - 1) / w) * w * d) * 4 + 4);
  ck_pack_f32(x, rows, d, NULL, post, w, p);
  free(xd);
  return p;
}

double *kc_pack_rows_f64(const double *x, int64_t rows, int64_t d, int64_t w, double *post) {
  kc_norm_factors(x, rows, d, post);
  double *p = kc_alloc((size_t)(((rows + w - 1) / w) * w * d) * 8 + 8);
  ck_pack_f64(x, rows, d, NULL, post, w, p);
  return p;
}

static void check_pack(int64_t rows, int64_t d, int64_t w, int kind) {
  char name[96];
  kc_rng g = kc_seed("pack", (uint64_t)((rows * 1000 + d) * 64 + w * 4 + kind));
  const int64_t len = rows * d, plen = ((rows + w - 1) / w) * w * d;
  float *x = kc_alloc((size_t)len * 4 + 4), *p = kc_alloc((size_t)plen * 4 + 4);
  float *rf = kc_alloc((size_t)plen * 4 + 4);
  uint16_t *h = kc_alloc((size_t)len * 2 + 2);
  double *xd = kc_alloc((size_t)len * 8 + 8), *pd = kc_alloc((size_t)plen * 8 + 8);
  double *rd = kc_alloc((size_t)plen * 8 + 8), *pre = kc_alloc((size_t)rows * 8 + 8);
  double *post = kc_alloc((size_t)rows * 8 + 8);
  kc_fill_f32(x, len, &g, kind), kc_fill_f64(xd, len, &g, kind), kc_fill_f16(h, len, &g, kind);
  kc_fill_f64(pre, rows, &g, KC_RANDOM), kc_fill_f64(post, rows, &g, KC_RANDOM);
  for (int64_t t = 0; t < 4; t++) {  // f32 with and without pre, f16, f64
    const double *pr = t == 1 ? NULL : pre;
    for (int64_t i = 0; i < plen; i++) {
      const int64_t panel = i / (w * d), k = (i % (w * d)) / w, r = panel * w + i % w;
      if (r >= rows) {
        rf[i] = 0, rd[i] = 0;
        continue;
      }
      const double f1 = pr ? pr[r] : 1.0, f2 = post[r];
      const double v = t == 2 ? kc_ref_half_to_float(h[r * d + k]) : (t == 3 ? xd[r * d + k] : x[r * d + k]);
      rf[i] = (float)((v * f1) * f2), rd[i] = (v * f1) * f2;
    }
    memset(p, 0xff, (size_t)plen * 4), memset(pd, 0xff, (size_t)plen * 8);
    if (t <= 1) ck_pack_f32(x, rows, d, pr, post, w, p);
    if (t == 2) ck_pack_f16(h, rows, d, pr, post, w, p);
    if (t == 3) ck_pack_f64(xd, rows, d, pr, post, w, pd);
    snprintf(name, sizeof name, "pack_%s/r%lld/d%lld/w%lld/k%d",
             t == 0 ? "f32" : (t == 1 ? "f32_nopre" : (t == 2 ? "f16" : "f64")), (long long)rows,
             (long long)d, (long long)w, kind);
    const int ok = t == 3 ? kc_same_f64(name, pd, rd, plen) < 0 : kc_same_f32(name, p, rf, plen) < 0;
    kc_check(ok, name, "not the specified rounding or layout");
    if (t == 3) kc_digest_f64(KC_BITWISE, name, pd, plen);
    else kc_digest_f32(KC_BITWISE, name, p, plen);
  }
  free(x), free(p), free(rf), free(h), free(xd), free(pd), free(rd), free(pre), free(post);
}

/// One GEMM case of either type: C against the exact chain of the packed values (bitwise) and,
/// for finite inputs, against the double dot product of the normalized rows.
#define GEMM_CASE(T, SUF, U, PW, QW)                                                                  \
  static void gemm_##SUF(int64_t m, int64_t n, int64_t d, int64_t aw, int kind) {                    \
    char name[96];                                                                                    \
    kc_rng g = kc_seed("gemm_" #SUF, (uint64_t)(((m * 1000 + n) * 1000 + d) * 64 + aw * 4 + kind));  \
    const int64_t bw = PW(), ldc = n + 3;                                                             \
    T *x = kc_alloc((size_t)(m * d) * sizeof(T) + 8), *y = kc_alloc((size_t)(n * d) * sizeof(T) + 8); \
    double *px = kc_alloc((size_t)m * 8 + 8), *py = kc_alloc((size_t)n * 8 + 8);                      \
    T *c = kc_alloc((size_t)(m * ldc) * sizeof(T) + 8), *rc = kc_alloc((size_t)(m * n) * sizeof(T) + 8); \
    double *ref = kc_alloc((size_t)(m * n) * 8 + 8), *tol = kc_alloc((size_t)(m * n) * 8 + 8);        \
    kc_fill_##SUF(x, m * d, &g, kind), kc_fill_##SUF(y, n * d, &g, kind);                             \
    T *a = kc_pack_rows_##SUF(x, m, d, aw, px), *b = kc_pack_rows_##SUF(y, n, d, bw, py);             \
    for (int64_t i = 0; i < m * ldc; i++) c[i] = (T)7;                                                \
    const int status = ck_gemm_##SUF(a, m, aw, b, bw, n, d, c, ldc);                                  \
    int pad = 1;                                                                                      \
    for (int64_t i = 0; i < m; i++) {                                                                 \
      for (int64_t j = 0; j < n; j++) {                                                               \
        const T *ai = a + (i / aw) * aw * d + i % aw, *bj = b + (j / bw) * bw * d + j % bw;           \
        rc[i * n + j] = kc_chain_##SUF(ai, aw, bj, bw, d, 1);                                         \
        double s = 0, mag = 0;                                                                        \
        for (int64_t k = 0; k < d; k++) {                                                             \
          const double t = ((double)x[i * d + k] * px[i]) * ((double)y[j * d + k] * py[j]);           \
          s += t, mag += fabs(t);                                                                     \
        }                                                                                             \
        ref[i * n + j] = s > 1 ? 1 : (s < -1 ? -1 : s);                                               \
        tol[i * n + j] = 2.0 * (double)(d + 3) * U * mag + 0x1p-140;                                  \
      }                                                                                               \
      for (int64_t j = n; j < ldc; j++) pad &= c[i * ldc + j] == (T)7;                                \
      memmove(c + i * n, c + i * ldc, (size_t)n * sizeof(T));                                         \
    }                                                                                                 \
    snprintf(name, sizeof name, "gemm_" #SUF "/m%lld/n%lld/d%lld/aw%lld/k%d", (long long)m,          \
             (long long)n, (long long)d, (long long)aw, kind);                                        \
    kc_check(status == CK_OK && pad, name, "status %d, stride padding %s", status,                    \
             pad ? "kept" : "overwritten");                                                           \
    kc_check(kc_same_##SUF(name, c, rc, m * n) < 0, name, "not the fused multiply-add chain");        \
    if (kind != KC_EDGE)                                                                              \
      kc_check(kc_close_##SUF(name, c, ref, tol, m * n) < 0, name, "outside the tolerance");          \
    kc_digest_##SUF(KC_BITWISE, name, c, m * n);                                                      \
    free(x), free(y), free(px), free(py), free(c), free(rc), free(ref), free(tol), free(a), free(b);  \
  }

GEMM_CASE(float, f32, KC_U32, ck_panel_width_f32, ck_query_width_f32)
GEMM_CASE(double, f64, KC_U64, ck_panel_width_f64, ck_query_width_f64)

/// Widths no kernel reads are reported before anything is written.
static void check_widths(void) {
  float a[64 * 4] = {0}, b[64 * 4] = {0}, c[4] = {5, 5, 5, 5};
  const int64_t pw = ck_panel_width_f32();
  const int s1 = ck_gemm_f32(a, 1, 0, b, pw, 1, 4, c, 1);
  const int s2 = ck_gemm_f32(a, 1, 17, b, pw, 1, 4, c, 1);
  const int s3 = ck_gemm_f32(a, 1, 1, b, 24, 1, 4, c, 1);
  kc_check(s1 == CK_ERROR_PANEL_WIDTH && s2 == CK_ERROR_PANEL_WIDTH && s3 == CK_ERROR_PANEL_WIDTH &&
               c[0] == 5,
           "gemm/bad_widths", "statuses %d %d %d, c[0] = %g", s1, s2, s3, (double)c[0]);
  // Width 32 is the AVX-512 layout: readable exactly where the CPU has AVX-512, whatever the
  // thread's level (the kernel follows the data).
  const int s4 = ck_gemm_f32(a, 1, 1, b, 32, 1, 4, c, 1);
  const int want = ck_cpu_level() == 2 ? CK_OK : CK_ERROR_PANEL_WIDTH;
  kc_check(s4 == want, "gemm/width32", "status %d, expected %d", s4, want);
}

void kc_check_pack_gemm(void) {
  const int64_t shapes[][3] = {{1, 1, 0}, {1, 1, 1}, {3, 2, 5}, {17, 7, 16}, {33, 33, 3}, {40, 100, 9}};
  for (int s = 0; s < 6; s++)
    for (int kind = KC_RANDOM; kind <= KC_EDGE; kind++) {
      check_pack(shapes[s][0], shapes[s][2], 16, kind);
      check_pack(shapes[s][0], shapes[s][2], 3, kind);
      check_pack(shapes[s][0], shapes[s][2], ck_panel_width_f32(), kind);
    }
  // (m, n, d): one row; tails of both panel widths; d of 1, odd, and past one K slice (256).
  const int64_t cases[][3] = {{1, 1, 1}, {1, 40, 7}, {5, 33, 16}, {14, 31, 33}, {17, 65, 100}, {3, 49, 300}};
  const int64_t widths[] = {1, 4, 6, 14, 16, 5};
  for (int s = 0; s < 6; s++)
    for (int kind = KC_RANDOM; kind <= KC_EDGE_FINITE; kind++) {
      const int64_t aw = widths[(s + kind) % 6];  // every width, with each kind of data
      gemm_f32(cases[s][0], cases[s][1], cases[s][2], aw, kind);
      gemm_f64(cases[s][0], cases[s][1], cases[s][2], aw, kind);
    }
  gemm_f32(20, 50, 64, ck_query_width_f32(ck_panel_width_f32()), KC_RANDOM);
  gemm_f64(20, 50, 64, ck_query_width_f64(ck_panel_width_f64()), KC_RANDOM);
  check_widths();
}
