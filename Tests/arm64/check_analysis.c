// Centroid sums of the analyses (ck_analysis.h): one fused multiply-add per element, rows in the
// given order, against that exact sequence (bitwise, as the header promises for every
// instruction set) and against a double sum within a tolerance.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "CCosineKernels.h"
#include "check.h"
#pragma clang fp contract(off)

static void check_accumulate(int f32, int64_t n, int64_t d, int64_t count, int kind) {
  char name[96];
  kc_rng g = kc_seed("accumulate", (uint64_t)(((n * 1000 + d) * 1000 + count) * 8 + f32 * 4 + kind));
  float *x32 = kc_alloc((size_t)(n * d) * 4 + 4);
  double *x64 = kc_alloc((size_t)(n * d) * 8 + 8), *scale = kc_alloc((size_t)n * 8 + 8);
  double *sum = kc_alloc((size_t)d * 8 + 8), *want = kc_alloc((size_t)d * 8 + 8);
  double *ref = kc_alloc((size_t)d * 8 + 8), *tol = kc_alloc((size_t)d * 8 + 8);
  int64_t *rows = kc_alloc((size_t)count * 8 + 8);
  kc_fill_f32(x32, n * d, &g, kind), kc_fill_f64(x64, n * d, &g, kind);
  kc_fill_f64(scale, n, &g, KC_RANDOM), kc_fill_f64(sum, d, &g, KC_RANDOM);
  for (int64_t i = 0; i < count; i++) rows[i] = kc_below(&g, n);  // repeats allowed
  for (int64_t j = 0; j < d; j++) {
    double s = sum[j], sd = sum[j], mag = fabs(sum[j]);
    for (int64_t i = 0; i < count; i++) {
      const double v = f32 ? (double)x32[rows[i] * d + j] : x64[rows[i] * d + j], f = scale[rows[i]];
      s = fma(v, f, s), sd += v * f, mag += fabs(v * f);
    }
    want[j] = s, ref[j] = sd, tol[j] = 2.0 * (double)(count + 2) * KC_U64 * mag + 0x1p-1074;
  }
  if (f32) ck_accumulate_rows_f32(x32, d, rows, count, scale, sum);
  else ck_accumulate_rows_f64(x64, d, rows, count, scale, sum);
  snprintf(name, sizeof name, "accumulate_%s/n%lld/d%lld/c%lld/k%d", f32 ? "f32" : "f64",
           (long long)n, (long long)d, (long long)count, kind);
  kc_check(kc_same_f64(name, sum, want, d) < 0, name, "not the fused multiply-add sequence");
  if (kind != KC_EDGE) kc_check(kc_close_f64(name, sum, ref, tol, d) < 0, name, "outside the tolerance");
  kc_digest_f64(KC_BITWISE, name, sum, d);
  free(x32), free(x64), free(scale), free(sum), free(want), free(ref), free(tol), free(rows);
}

void kc_check_analysis(void) {
  // (rows, d, count): d of 1, below, at and past the 8-lane vectors; no rows; repeats.
  const int64_t cases[][3] = {{1, 1, 1}, {5, 7, 9}, {9, 8, 3}, {20, 9, 40}, {50, 33, 0}, {40, 100, 64}};
  for (int c = 0; c < 6; c++)
    for (int kind = KC_RANDOM; kind <= KC_EDGE_FINITE; kind++)
      for (int f32 = 0; f32 < 2; f32++) check_accumulate(f32, cases[c][0], cases[c][1], cases[c][2], kind);
}
