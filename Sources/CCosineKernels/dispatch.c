// Run-time selection of the kernel implementation, resolved once per process.
//
// The active table is an atomic pointer: set by a constructor at load time, or lazily (and
// idempotently) by the first call if a kernel runs before the constructors. The
// ck_set_simd_enabled test hook overrides it for the calling thread only, so a test of one
// path never changes the results of work running on other threads. Every table computes the
// same results within rounding.
#include "ck_internal.h"
#include <stdatomic.h>

int ck_has_avx512(void) {
#if CK_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
  return 0;
#endif
}

static int ck_has_avx2(void) {
#if CK_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
  return 0;
#endif
}

/// The best table for this CPU, not above `level` (0 scalar, 1 AVX2, 2 AVX-512).
static const ck_kernels *ck_best(int level) {
#if CK_X86
  if (level >= 2 && ck_has_avx512()) return &ck_kernels_avx512;
  if (level >= 1 && ck_has_avx2()) return &ck_kernels_avx2;
#else
  (void)level;
#endif
  return &ck_kernels_scalar;
}

static _Atomic(const ck_kernels *) ck_active = NULL;

static _Thread_local const ck_kernels *ck_thread_override = NULL;

static inline const ck_kernels *K(void) {
  const ck_kernels *o = ck_thread_override;
  if (__builtin_expect(o != NULL, 0)) return o;
  const ck_kernels *k = atomic_load_explicit(&ck_active, memory_order_acquire);
  if (__builtin_expect(k == NULL, 0)) {
    const ck_kernels *expected = NULL;
    k = ck_best(2);
    if (!atomic_compare_exchange_strong_explicit(&ck_active, &expected, k, memory_order_acq_rel,
                                                 memory_order_acquire))
      k = expected;
  }
  return k;
}

__attribute__((constructor)) static void ck_dispatch_init(void) { (void)K(); }

void ck_set_simd_enabled(int enabled) {
  ck_thread_override = enabled == 1 ? NULL : (enabled == 0 ? &ck_kernels_scalar : ck_best(1));
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

void ck_rowsumsq_f32(const float *x, size_t rows, size_t n, double *out) {
  if (rows == 0) return;
  if (n == 0) { ck_zero(out, rows); return; }
  K()->rowsumsq_f32(x, rows, n, out);
}
void ck_rowsumsq_f64(const double *x, size_t rows, size_t n, double *out) {
  if (rows == 0) return;
  if (n == 0) { ck_zero(out, rows); return; }
  K()->rowsumsq_f64(x, rows, n, out);
}
void ck_rowsumsq_f16(const uint16_t *x, size_t rows, size_t n, double *out) {
  if (rows == 0) return;
  if (n == 0) { ck_zero(out, rows); return; }
  K()->rowsumsq_f16(x, rows, n, out);
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
