// Conversions (ck_convert.h): every half and bfloat16 bit pattern to float, and floats to both
// formats at every rounding boundary (each representable value, the midpoints between neighbours
// and one float either side of them) and on random bit patterns, against references built on
// _Float16 and exact double arithmetic (check.c).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CCosineKernels.h"
#include "check.h"
#pragma clang fp contract(off)

static float from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static uint32_t to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/// Every 16-bit pattern to float, for both formats.
static void check_widening(void) {
  uint16_t *h = kc_alloc(65536 * 2);
  float *out = kc_alloc(65536 * 4);
  uint32_t *want = kc_alloc(65536 * 4);
  for (uint32_t i = 0; i < 65536; i++) h[i] = (uint16_t)i;

  ck_f16_to_f32(h, 65536, out);
  for (uint32_t i = 0; i < 65536; i++) {
    const uint32_t sign = (i & 0x8000u) << 16, mant = i & 0x3ffu;
    if ((i & 0x7c00u) == 0x7c00u && mant)  // NaN: quieted, payload kept
      want[i] = sign | 0x7f800000u | 0x400000u | (mant << 13);
    else
      want[i] = to_bits(kc_ref_half_to_float((uint16_t)i));
  }
  int64_t bad = kc_same_bits(out, want, 65536, 4);
  kc_check(bad < 0, "f16_to_f32/all", "pattern 0x%04llx gives 0x%08x, not 0x%08x", (long long)bad,
           bad < 0 ? 0 : to_bits(out[bad]), bad < 0 ? 0 : want[bad]);
  kc_digest(KC_BITWISE, "f16_to_f32/all", out, 65536 * 4);

  ck_bf16_to_f32(h, 65536, out);
  for (uint32_t i = 0; i < 65536; i++) want[i] = i << 16;
  bad = kc_same_bits(out, want, 65536, 4);
  kc_check(bad < 0, "bf16_to_f32/all", "pattern 0x%04llx gives 0x%08x", (long long)bad,
           bad < 0 ? 0 : to_bits(out[bad]));
  kc_digest(KC_BITWISE, "bf16_to_f32/all", out, 65536 * 4);
  free(h), free(out), free(want);
}

/// Floats at the rounding boundaries of a 16-bit format whose values are the floats `value(i)`
/// for i < 32768 (positive patterns), negated too, then random bit patterns.
static int64_t boundary_inputs(float *x, int bf16) {
  int64_t n = 0;
  for (uint32_t i = 0; i < 0x7c00u + (bf16 ? 0x0380u : 0); i++) {
    const float v = bf16 ? from_bits(i << 16) : kc_ref_half_to_float((uint16_t)i);
    const float next = bf16 ? from_bits((i + 1) << 16) : kc_ref_half_to_float((uint16_t)(i + 1));
    if (isinf(v) || isnan(v)) break;
    // The midpoint of two neighbours is exact in double and, for every half and bfloat16 pair, a
    // float (one more bit of mantissa); past the largest finite value the next is 2^16 or 2^128.
    const double upper = isinf(next) ? (bf16 ? ldexp(1.0, 128) : 65536.0) : (double)next;
    const double mid = ((double)v + upper) / 2;
    const float m = (float)mid;
    const float xs[4] = {v, nextafterf(m, 0.0f), m, nextafterf(m, INFINITY)};
    for (int j = 0; j < 4; j++) x[n++] = xs[j], x[n++] = -xs[j];
  }
  kc_rng g = kc_seed(bf16 ? "to_bf16" : "to_f16", 0);
  for (int j = 0; j < 100000; j++) x[n++] = from_bits((uint32_t)kc_next(&g));
  const uint32_t nans[] = {0x7f800001u, 0xffc00000u, 0x7fbfffffu, 0x7f802000u, 0xff800fffu};
  for (int j = 0; j < 5; j++) x[n++] = from_bits(nans[j]);
  x[n++] = INFINITY, x[n++] = -INFINITY, x[n++] = 0x1.fffffep127f, x[n++] = 0x1p-149f;
  return n;
}

static void check_narrowing(int bf16) {
  const char *name = bf16 ? "f32_to_bf16" : "f32_to_f16";
  float *x = kc_alloc((size_t)(8 * 0x8000 + 100016) * 4);
  const int64_t n = boundary_inputs(x, bf16);
  uint16_t *out = kc_alloc((size_t)n * 2), *want = kc_alloc((size_t)n * 2);
  if (bf16) ck_f32_to_bf16(x, n, out);
  else ck_f32_to_f16(x, n, out);
  for (int64_t i = 0; i < n; i++) {
    const uint32_t u = to_bits(x[i]);
    if (isnan(x[i]))  // quieted, top payload bits kept
      want[i] = bf16 ? (uint16_t)((u >> 16) | 0x40u)
                     : (uint16_t)(((u >> 16) & 0x8000u) | 0x7e00u | ((u >> 13) & 0x3ffu));
    else
      want[i] = bf16 ? kc_ref_float_to_bf16(x[i]) : kc_ref_float_to_half(x[i]);
  }
  const int64_t bad = kc_same_bits(out, want, n, 2);
  kc_check(bad < 0, name, "%a (0x%08x) gives 0x%04x, not 0x%04x (of %lld inputs)",
           bad < 0 ? 0.0 : (double)x[bad], bad < 0 ? 0 : to_bits(x[bad]), bad < 0 ? 0 : out[bad],
           bad < 0 ? 0 : want[bad], (long long)n);
  kc_digest(KC_BITWISE, name, out, (size_t)n * 2);
  free(x), free(out), free(want);
}

void kc_check_convert(void) {
  check_widening();
  check_narrowing(0);
  check_narrowing(1);
  // n ≤ 0 writes nothing.
  uint16_t h = 0x1234;
  float f = 7;
  ck_f32_to_f16(&f, 0, &h), ck_f16_to_f32(&h, -1, &f);
  kc_check(h == 0x1234 && f == 7, "convert/empty", "an empty conversion wrote");
}
