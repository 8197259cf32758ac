// The harness of kernel_check (see check.h).
#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#pragma clang fp contract(off)

static int64_t kc_passed = 0, kc_failed = 0;

int64_t kc_passed_count(void) { return kc_passed; }
int64_t kc_failed_count(void) { return kc_failed; }

kc_rng kc_seed(const char *name, uint64_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char *c = name; *c; c++) h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
  kc_rng g = {h ^ (n * 0x9e3779b97f4a7c15ull)};
  return g;
}

uint64_t kc_next(kc_rng *g) {
  uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double kc_unit(kc_rng *g) { return (double)((int64_t)(kc_next(g) >> 11) - (1ll << 52)) * 0x1p-52; }

int64_t kc_below(kc_rng *g, int64_t n) { return n > 0 ? (int64_t)(kc_next(g) % (uint64_t)n) : 0; }

/// An edge value of a type whose largest magnitude used here is `huge` (the largest finite float;
/// 1e300 for double, so that sums of products overflow only where a product does, whatever the
/// summation order); `finite` leaves out NaN and the infinities.
static double edge_value(kc_rng *g, int finite, double huge, double min_normal, double min_sub) {
  const double finite_values[] = {0.0,        -0.0,        1.0,  -1.0,  min_sub,   -min_sub, 3 * min_sub,
                                  min_normal, -min_normal, huge, -huge, huge / 3, 1e-30};
  const int nf = (int)(sizeof finite_values / sizeof finite_values[0]);
  const int i = (int)kc_below(g, finite ? nf : nf + 3);
  if (i < nf) return finite_values[i];
  if (i == nf) return NAN;
  return i == nf + 1 ? INFINITY : -INFINITY;
}

void kc_fill_f32(float *x, int64_t n, kc_rng *g, int kind) {
  for (int64_t i = 0; i < n; i++) {
    if (kind != KC_RANDOM && kc_below(g, 4) == 0)
      x[i] = (float)edge_value(g, kind == KC_EDGE_FINITE, 0x1.fffffep127, 0x1p-126, 0x1p-149);
    else
      x[i] = (float)kc_unit(g);
  }
}

void kc_fill_f64(double *x, int64_t n, kc_rng *g, int kind) {
  for (int64_t i = 0; i < n; i++) {
    if (kind != KC_RANDOM && kc_below(g, 4) == 0)
      x[i] = edge_value(g, kind == KC_EDGE_FINITE, 1e300, 0x1p-1022, 0x1p-1074);
    else
      x[i] = kc_unit(g);
  }
}

void kc_fill_f16(uint16_t *x, int64_t n, kc_rng *g, int kind) {
  for (int64_t i = 0; i < n; i++) {
    if (kind != KC_RANDOM && kc_below(g, 4) == 0) {
      const uint16_t edges[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff,
                                0x3c00, 0xbc00, 0x7c00, 0xfc00, 0x7e00, 0x7c01};
      const int nf = kind == KC_EDGE_FINITE ? 10 : 14;
      x[i] = edges[kc_below(g, nf)];
    } else {
      x[i] = kc_ref_float_to_half((float)kc_unit(g));
    }
  }
}

void *kc_alloc(size_t bytes) {
  void *p = calloc(bytes ? bytes : 1, 1);
  if (!p) {
    fprintf(stderr, "kernel_check: out of memory (%zu bytes)\n", bytes);
    exit(2);
  }
  return p;
}

void kc_check(int ok, const char *name, const char *fmt, ...) {
  if (ok) {
    kc_passed++;
    return;
  }
  kc_failed++;
  printf("FAIL %s: ", name);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

void kc_digest(int cls, const char *name, const void *p, size_t bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  const uint8_t *b = (const uint8_t *)p;
  for (size_t i = 0; i < bytes; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  printf("digest %c %s %016llx\n", cls, name, (unsigned long long)h);
}

/// 1 when `got` matches `ref` within `tol` (see kc_close_f64).
static int close_one(double got, double ref, double tol) {
  if (isnan(ref)) return isnan(got);
  if (isinf(ref)) return got == ref;
  return fabs(got - ref) <= tol;
}

int64_t kc_close_f64(const char *name, const double *got, const double *ref, const double *tol,
                     int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double t = tol ? tol[i] : 0;
    if (!close_one(got[i], ref[i], t)) {
      printf("  %s[%lld]: got %.17g, reference %.17g, tolerance %.3g\n", name, (long long)i,
             got[i], ref[i], t);
      return i;
    }
  }
  return -1;
}

int64_t kc_close_f32(const char *name, const float *got, const double *ref, const double *tol,
                     int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double t = tol ? tol[i] : 0;
    if (!close_one(got[i], ref[i], t)) {
      printf("  %s[%lld]: got %.9g, reference %.17g, tolerance %.3g\n", name, (long long)i,
             (double)got[i], ref[i], t);
      return i;
    }
  }
  return -1;
}

int64_t kc_same_bits(const void *a, const void *b, int64_t n, size_t size) {
  const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
  for (int64_t i = 0; i < n; i++)
    if (memcmp(x + (size_t)i * size, y + (size_t)i * size, size) != 0) return i;
  return -1;
}

int64_t kc_same_f32(const char *name, const float *got, const float *ref, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if (isnan(got[i]) && isnan(ref[i])) continue;
    if (memcmp(got + i, ref + i, 4) != 0) {
      printf("  %s[%lld]: got %a, reference %a\n", name, (long long)i, (double)got[i],
             (double)ref[i]);
      return i;
    }
  }
  return -1;
}

int64_t kc_same_f64(const char *name, const double *got, const double *ref, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if (isnan(got[i]) && isnan(ref[i])) continue;
    if (memcmp(got + i, ref + i, 8) != 0) {
      printf("  %s[%lld]: got %a, reference %a\n", name, (long long)i, got[i], ref[i]);
      return i;
    }
  }
  return -1;
}

static int half_is_nan(uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0; }

int64_t kc_same_f16(const char *name, const uint16_t *got, const uint16_t *ref, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if (half_is_nan(got[i]) && half_is_nan(ref[i])) continue;
    if (got[i] != ref[i]) {
      printf("  %s[%lld]: got 0x%04x, reference 0x%04x\n", name, (long long)i, got[i], ref[i]);
      return i;
    }
  }
  return -1;
}

// Digests of floating-point results treat every NaN as one value: the sign and payload of a NaN
// an operation creates differ between architectures (x86 sets the sign, arm64 does not), and no
// kernel promises them.
void kc_digest_f32(int cls, const char *name, const float *x, int64_t n) {
  float *c = (float *)kc_alloc((size_t)n * 4);
  for (int64_t i = 0; i < n; i++) c[i] = isnan(x[i]) ? NAN : x[i];
  kc_digest(cls, name, c, (size_t)n * 4);
  free(c);
}

void kc_digest_f64(int cls, const char *name, const double *x, int64_t n) {
  double *c = (double *)kc_alloc((size_t)n * 8);
  for (int64_t i = 0; i < n; i++) c[i] = isnan(x[i]) ? NAN : x[i];
  kc_digest(cls, name, c, (size_t)n * 8);
  free(c);
}

void kc_digest_f16(int cls, const char *name, const uint16_t *x, int64_t n) {
  uint16_t *c = (uint16_t *)kc_alloc((size_t)n * 2);
  for (int64_t i = 0; i < n; i++) c[i] = half_is_nan(x[i]) ? 0x7e00u : x[i];
  kc_digest(cls, name, c, (size_t)n * 2);
  free(c);
}

float kc_chain_f32(const float *a, int64_t sa, const float *b, int64_t sb, int64_t d, int clamp) {
  float s = 0;
  for (int64_t k = 0; k < d; k++) s = fmaf(a[k * sa], b[k * sb], s);
  if (clamp) {
    s = s > 1.0f ? 1.0f : s;
    s = s < -1.0f ? -1.0f : s;
  }
  return s;
}

double kc_chain_f64(const double *a, int64_t sa, const double *b, int64_t sb, int64_t d,
                    int clamp) {
  double s = 0;
  for (int64_t k = 0; k < d; k++) s = fma(a[k * sa], b[k * sb], s);
  if (clamp) {
    s = s > 1.0 ? 1.0 : s;
    s = s < -1.0 ? -1.0 : s;
  }
  return s;
}

float kc_ref_half_to_float(uint16_t h) {
  _Float16 v;
  memcpy(&v, &h, 2);
  return (float)v;
}

uint16_t kc_ref_float_to_half(float f) {
  const _Float16 v = (_Float16)f;
  uint16_t h;
  memcpy(&h, &v, 2);
  return h;
}

uint16_t kc_ref_float_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if (isnan(f)) return (uint16_t)((u >> 16) | 0x0040u);
  // The two bfloat16 neighbours of f (truncation and one step away from zero), compared in
  // double, where both differences are exact. One step past the largest finite bfloat16 is
  // infinity, whose "value" for rounding is 2^128.
  const uint16_t lo = (uint16_t)(u >> 16), hi = (uint16_t)(lo + 1);
  if ((u & 0xffffu) == 0) return lo;
  uint32_t lu = (uint32_t)lo << 16, hu = (uint32_t)hi << 16;
  float lf, hf;
  memcpy(&lf, &lu, 4);
  memcpy(&hf, &hu, 4);
  const double dl = fabs((double)f - (double)lf);
  const double dh = isinf(hf) ? fabs(ldexp(1.0, 128) - fabs((double)f)) : fabs((double)hf - (double)f);
  if (dl < dh) return lo;
  if (dh < dl) return hi;
  return (lo & 1u) ? hi : lo;
}
