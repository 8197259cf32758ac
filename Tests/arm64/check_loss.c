// The batch losses' kernels (ck_loss.h): the gradient GEMM against the exact fused
// multiply-add chain from each element's old value (bitwise, as the header promises for every
// blocking) and a double sum within a tolerance; the log-sum-exp and softmax tiles against
// double references within tolerances from the exponential's accuracy and the magnitudes.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CCosineKernels.h"
#include "check.h"
#pragma clang fp contract(off)

#define LOSS_GEMM_CASE(T, SUF, FMA, U)                                                               \
  static void loss_gemm_##SUF(int64_t m, int64_t n, int64_t k, int transposed, int kind) {          \
    char name[96];                                                                                   \
    kc_rng g = kc_seed("loss_gemm_" #SUF, (uint64_t)(((m * 1000 + n) * 1000 + k) * 8 + transposed * 4 + kind)); \
    const int64_t lda = (transposed ? m : k) + 2, ldb = n + 1, ldc = n + 3;                          \
    const int64_t a_rs = transposed ? 1 : lda, a_cs = transposed ? lda : 1;                          \
    const int64_t alen = (transposed ? k : m) * lda;                                                 \
    T *a = kc_alloc((size_t)alen * sizeof(T) + 8), *b = kc_alloc((size_t)(k * ldb) * sizeof(T) + 8); \
    T *c = kc_alloc((size_t)(m * ldc) * sizeof(T) + 8), *rc = kc_alloc((size_t)(m * ldc) * sizeof(T) + 8); \
    double *ref = kc_alloc((size_t)(m * n) * 8 + 8), *tol = kc_alloc((size_t)(m * n) * 8 + 8);      \
    T *got = kc_alloc((size_t)(m * n) * sizeof(T) + 8), *want = kc_alloc((size_t)(m * n) * sizeof(T) + 8); \
    kc_fill_##SUF(a, alen, &g, kind), kc_fill_##SUF(b, k * ldb, &g, kind);                           \
    kc_fill_##SUF(c, m * ldc, &g, kind == KC_EDGE ? KC_EDGE : KC_RANDOM);                            \
    memcpy(rc, c, (size_t)(m * ldc) * sizeof(T));                                                    \
    for (int64_t i = 0; i < m; i++)                                                                  \
      for (int64_t j = 0; j < n; j++) {                                                              \
        T s = rc[i * ldc + j];                                                                       \
        double sd = s, mag = fabs((double)s);                                                        \
        for (int64_t p = 0; p < k; p++) {                                                            \
          const T x = a[i * a_rs + p * a_cs], y = b[p * ldb + j];                                    \
          s = FMA(x, y, s), sd += (double)x * y, mag += fabs((double)x * y);                         \
        }                                                                                            \
        rc[i * ldc + j] = s, want[i * n + j] = s, ref[i * n + j] = sd;                               \
        tol[i * n + j] = 2.0 * (double)(k + 2) * U * mag + 0x1p-140;                                 \
      }                                                                                              \
    ck_loss_gemm_##SUF(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);                                      \
    for (int64_t i = 0; i < m; i++) memcpy(got + i * n, c + i * ldc, (size_t)n * sizeof(T));        \
    snprintf(name, sizeof name, "loss_gemm_" #SUF "/m%lld/n%lld/k%lld/t%d/k%d", (long long)m,       \
             (long long)n, (long long)k, transposed, kind);                                          \
    kc_check(kc_same_##SUF(name, c, rc, m * ldc) < 0, name,                                         \
             "not the fused multiply-add chains (or the stride padding changed)");                  \
    if (kind == KC_RANDOM)                                                                           \
      kc_check(kc_close_##SUF(name, got, ref, tol, m * n) < 0, name, "outside the tolerance");       \
    kc_digest_##SUF(KC_BITWISE, name, got, m * n);                                                   \
    /* ck_matmul: the chains from 0, C's old values (NaN here) never read, its padding untouched. */ \
    for (int64_t i = 0; i < m * ldc; i++) c[i] = (T)NAN;                                             \
    for (int64_t i = 0; i < m; i++)                                                                  \
      for (int64_t j = 0; j < n; j++) {                                                              \
        T s = 0;                                                                                     \
        for (int64_t p = 0; p < k; p++) s = FMA(a[i * a_rs + p * a_cs], b[p * ldb + j], s);         \
        want[i * n + j] = s;                                                                         \
      }                                                                                              \
    ck_matmul_##SUF(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc);                                         \
    for (int64_t i = 0; i < m; i++) memcpy(got + i * n, c + i * ldc, (size_t)n * sizeof(T));        \
    snprintf(name, sizeof name, "matmul_" #SUF "/m%lld/n%lld/k%lld/t%d/k%d", (long long)m,          \
             (long long)n, (long long)k, transposed, kind);                                          \
    kc_check(kc_same_##SUF(name, got, want, m * n) < 0, name, "not the fused multiply-add chains from 0"); \
    for (int64_t i = 0; i < m; i++)                                                                  \
      for (int64_t j = n; j < ldc; j++)                                                              \
        kc_check(c[i * ldc + j] != c[i * ldc + j], name, "wrote past the row's n columns");        \
    free(a), free(b), free(c), free(rc), free(ref), free(tol), free(got), free(want);                \
  }

LOSS_GEMM_CASE(float, f32, fmaf, KC_U32)
LOSS_GEMM_CASE(double, f64, fma, KC_U64)

/// Cosine tiles: uniform in [−1, 1); with `edge`, zeros, ±1, subnormals, ties at the maximum and
/// a NaN in row 1.
static void fill_tile(double *s, int64_t rows, int64_t cols, int64_t lds, kc_rng *g, int edge) {
  for (int64_t i = 0; i < rows * lds; i++) {
    s[i] = kc_unit(g);
    if (edge && kc_below(g, 4) == 0) {
      const double e[] = {0.0, -0.0, 1.0, -1.0, 1e-40, -1e-40};
      s[i] = e[kc_below(g, 6)];
    }
  }
  if (edge && rows > 1 && cols > 0) s[lds + cols / 2] = NAN;
}

/// Log-sum-exp states folded over two tiles (columns [0, c1) then [c1, cols)), then the softmax
/// tile with the reference's log-sum-exp as `ref`; `f32` selects the float kernels.
static void check_tiles(int f32, int64_t rows, int64_t cols, int64_t c1, double scale, int edge) {
  char name[96];
  kc_rng g = kc_seed("tiles", (uint64_t)(((rows * 1000 + cols) * 1000 + c1) * 4 + f32 * 2 + edge));
  const int64_t lds = cols + 3;
  double *s = kc_alloc((size_t)(rows * lds) * 8 + 8), *s64 = kc_alloc((size_t)(rows * lds) * 8 + 8);
  float *s32 = kc_alloc((size_t)(rows * lds) * 4 + 4);
  double *m = kc_alloc((size_t)rows * 8), *sum = kc_alloc((size_t)rows * 8);
  double *want_m = kc_alloc((size_t)rows * 8), *lse = kc_alloc((size_t)rows * 8);
  double *got_lse = kc_alloc((size_t)rows * 8), *tol = kc_alloc((size_t)rows * 8);
  double *f = kc_alloc((size_t)rows * 8), *w = kc_alloc((size_t)rows * 8);
  double *p = kc_alloc((size_t)(rows * cols) * 8 + 8), *ptol = kc_alloc((size_t)(rows * cols) * 8 + 8);
  double *gotp = kc_alloc((size_t)(rows * cols) * 8 + 8);
  fill_tile(s, rows, cols, lds, &g, edge);
  for (int64_t i = 0; i < rows * lds; i++) s32[i] = (float)s[i], s64[i] = f32 ? s32[i] : s[i];
  kc_fill_f64(f, rows, &g, KC_RANDOM), kc_fill_f64(w, rows, &g, KC_RANDOM);
  // Exponential accuracy: float kernels may evaluate exp in float (|x| ≤ 2·scale + log cols;
  // relative error below 3e-7 plus the argument's rounding) and add a row's terms in float;
  // double ones use libm and add in double.
  const double xmax = 2 * scale + log((double)cols + 1) + 1, u = f32 ? KC_U32 : KC_U64;
  const double erel = f32 ? 4e-7 + xmax * 0x1p-22 : 0x1p-50 * (1 + xmax);
  double total_ref = 0, total_mag = 0;
  for (int64_t r = 0; r < rows; r++) {
    double mx = -INFINITY, acc = 0, wsum = 0, wmag = 0;
    int nan = 0;
    for (int64_t c = 0; c < cols; c++) nan |= isnan(s64[r * lds + c]), mx = fmax(mx, s64[r * lds + c]);
    for (int64_t c = 0; c < cols; c++) acc += exp(scale * s64[r * lds + c] - scale * mx);
    want_m[r] = nan ? NAN : scale * mx;
    lse[r] = nan ? NAN : scale * mx + log(acc);
    tol[r] = erel + 2.0 * (double)(cols + 4) * u + 0x1p-40;  // absolute error of a log
    m[r] = -INFINITY, sum[r] = 0;
    for (int64_t c = 0; c < cols; c++) {
      const double v = s64[r * lds + c], e = exp(scale * v - lse[r]);
      p[r * cols + c] = f[r] * e;
      ptol[r * cols + c] = fabs(f[r] * e) * (erel + 3 * u) + 0x1p-140;
      wsum += e * v, wmag += fabs(e * v);
    }
    total_ref += w[r] * wsum, total_mag += fabs(w[r]) * wmag;
  }
  if (f32) {
    ck_loss_lse_rows_f32(s32, lds, rows, c1, scale, m, sum);
    ck_loss_lse_rows_f32(s32 + c1, lds, rows, cols - c1, scale, m, sum);
  } else {
    ck_loss_lse_rows_f64(s64, lds, rows, c1, scale, m, sum);
    ck_loss_lse_rows_f64(s64 + c1, lds, rows, cols - c1, scale, m, sum);
  }
  for (int64_t r = 0; r < rows; r++) got_lse[r] = m[r] + log(sum[r]);
  snprintf(name, sizeof name, "lse_rows_%s/r%lld/c%lld/s%g/e%d", f32 ? "f32" : "f64", (long long)rows,
           (long long)cols, scale, edge);
  kc_check(kc_same_f64(name, m, want_m, rows) < 0, name, "the running maximum is not scale · max");
  kc_check(kc_close_f64(name, got_lse, lse, tol, rows) < 0, name, "log-sum-exp outside the tolerance");
  kc_digest_f64(KC_TOLERANCE, name, sum, rows);

  double total;
  if (f32) total = ck_loss_softmax_rows_f32(s32, lds, rows, cols, scale, lse, f, w);
  else total = ck_loss_softmax_rows_f64(s64, lds, rows, cols, scale, lse, f, w);
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c = 0; c < cols; c++) gotp[r * cols + c] = f32 ? s32[r * lds + c] : s64[r * lds + c];
  snprintf(name, sizeof name, "softmax_rows_%s/r%lld/c%lld/s%g/e%d", f32 ? "f32" : "f64",
           (long long)rows, (long long)cols, scale, edge);
  kc_check(kc_close_f64(name, gotp, p, ptol, rows * cols) < 0, name, "probabilities outside the tolerance");
  const double ttol = total_mag * (erel + 2.0 * (double)(cols + rows + 4) * u) + 0x1p-140;
  kc_check(kc_close_f64(name, &total, &total_ref, &ttol, 1) < 0, name, "the weighted sum is %.17g, not %.17g",
           total, total_ref);
  kc_digest_f64(KC_TOLERANCE, name, gotp, rows * cols);
  free(s), free(s64), free(s32), free(m), free(sum), free(want_m), free(lse), free(got_lse), free(tol);
  free(f), free(w), free(p), free(ptol), free(gotp);
}

void kc_check_loss(void) {
  // (m, n, k): one element; tails of every panel width; k of 0, 1 and past one K slice.
  const int64_t cases[][3] = {{1, 1, 1}, {3, 17, 5}, {20, 33, 40}, {37, 50, 300}, {5, 1, 64}, {4, 6, 0}};
  for (int c = 0; c < 6; c++)
    for (int t = 0; t < 2; t++)
      for (int kind = KC_RANDOM; kind <= KC_EDGE; kind++) {
        loss_gemm_f32(cases[c][0], cases[c][1], cases[c][2], t, kind);
        loss_gemm_f64(cases[c][0], cases[c][1], cases[c][2], t, kind);
      }
  // (rows, cols, first tile's columns): one column; tails of 16 lanes; an empty first tile.
  const int64_t tiles[][3] = {{1, 1, 1}, {3, 17, 9}, {8, 100, 50}, {5, 33, 0}, {2, 257, 200}};
  for (int t = 0; t < 5; t++)
    for (int f32 = 0; f32 < 2; f32++)
      for (int edge = 0; edge < 2; edge++) {
        check_tiles(f32, tiles[t][0], tiles[t][1], tiles[t][2], 20.0, edge);
        check_tiles(f32, tiles[t][0], tiles[t][1], tiles[t][2], 1.0, edge);
      }
}
