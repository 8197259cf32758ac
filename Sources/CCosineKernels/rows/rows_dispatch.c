// Run-time selection of the row kernels: the table of the calling thread's kernel level
// (ck_level in ck_cpu.h: the CPU's best, capped by the thread's limit). Every table computes
// the same results within rounding; the element-wise kernels are bitwise the same.
#include "rows_internal.h"

static inline const ck_kernels *K(void) {
#if CK_X86
  static const ck_kernels *const tables[3] = {&ck_kernels_scalar, &ck_kernels_avx2, &ck_kernels_avx512};
  return tables[ck_level()];
#else
  return &ck_kernels_scalar;
#endif
}

// ---------------------------------------------------------------------------------------------
// Public entry points. Empty inputs are handled here so the kernels never see n == 0
// (and never offset a possibly-NULL pointer).

static void ck_zero(double *out, size_t count) {
  for (size_t i = 0; i < count; i++) out[i] = 0.0;
}

void ck_rowsums_f32(const float *a, const float *b, size_t rows, size_t n, double *out) {
  if (rows == 0) return;
  if (n == 0) { ck_zero(out, 3 * rows); return; }
  K()->rowsums_f32(a, b, rows, n, out);
}
void ck_rowsums_f64(const double *a, const double *b, size_t rows, size_t n, double *out) {
  if (rows == 0) return;
  if (n == 0) { ck_zero(out, 3 * rows); return; }
  K()->rowsums_f64(a, b, rows, n, out);
}
void ck_rowsums_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, double *out) {
  if (rows == 0) return;
  if (n == 0) { ck_zero(out, 3 * rows); return; }
  K()->rowsums_f16(a, b, rows, n, out);
}

void ck_rowgrad_f32(const float *a, const float *b, size_t rows, size_t n, const double *coef, float *ga, float *gb) {
  if (rows == 0 || n == 0 || (!ga && !gb)) return;
  K()->rowgrad_f32(a, b, rows, n, coef, ga, gb);
}
void ck_rowgrad_f64(const double *a, const double *b, size_t rows, size_t n, const double *coef, double *ga, double *gb) {
  if (rows == 0 || n == 0 || (!ga && !gb)) return;
  K()->rowgrad_f64(a, b, rows, n, coef, ga, gb);
}
void ck_rowgrad_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, const double *coef, uint16_t *ga,
                    uint16_t *gb) {
  if (rows == 0 || n == 0 || (!ga && !gb)) return;
  K()->rowgrad_f16(a, b, rows, n, coef, ga, gb);
}

void ck_rowscale_f32(const float *x, size_t rows, size_t n, const double *scale, float *out) {
  if (rows == 0 || n == 0) return;
  K()->rowscale_f32(x, rows, n, scale, out);
}
void ck_rowscale_f64(const double *x, size_t rows, size_t n, const double *scale, double *out) {
  if (rows == 0 || n == 0) return;
  K()->rowscale_f64(x, rows, n, scale, out);
}
void ck_rowscale_f16(const uint16_t *x, size_t rows, size_t n, const double *scale, uint16_t *out) {
  if (rows == 0 || n == 0) return;
  K()->rowscale_f16(x, rows, n, scale, out);
}

void ck_colsums_f32(const float *a, const float *b, size_t n, double *d, double *q1, double *q2) {
  K()->colsums_f32(a, b, n, d, q1, q2);
}

void ck_colgrad_f32(const float *a, const float *b, size_t n, const double *ca, const double *da, const double *cb,
                    const double *db, float *ga, float *gb) {
  K()->colgrad_f32(a, b, n, ca, da, cb, db, ga, gb);
}
