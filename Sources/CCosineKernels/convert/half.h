// Private to CCosineKernels: the one scalar conversion between float and the 16-bit formats
// (IEEE binary16 "half" and bfloat16), inline for the kernels' portable loops. The SIMD kernels
// use the hardware instructions (vcvtph2ps / vcvtps2ph), which give the same bits.
#ifndef CK_HALF_H
#define CK_HALF_H
#include <stdint.h>
#include <string.h>

static inline float ck_bits_to_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline uint32_t ck_f32_to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/// Exact conversion of a binary16 bit pattern to float. NaNs are quieted (payload kept),
/// as vcvtph2ps does. Written with selects rather than branches so loops over it vectorize;
/// does not depend on the denormals-are-zero mode (no subnormal float is ever an operand).
static inline float ck_half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t em = h & 0x7fffu;  // exponent and mantissa
  uint32_t exp = em & 0x7c00u;
  uint32_t normal = (em << 13) + (112u << 23);  // rebias 15 -> 127
  uint32_t special = (em << 13) | 0x7f800000u | ((em & 0x3ffu) ? 0x400000u : 0u);  // inf / quiet NaN
  uint32_t tiny = ck_f32_to_bits((float)(int32_t)em * 0x1p-24f);  // zero or subnormal: exact
  uint32_t mag = exp == 0 ? tiny : (exp == 0x7c00u ? special : normal);
  return ck_bits_to_f32(mag | sign);
}

/// float -> binary16, rounding to nearest even, overflow to infinity, subnormals kept,
/// NaNs quieted (top payload bits kept), as vcvtps2ph with imm 0 does.
static inline uint16_t ck_float_to_half(float f) {
  uint32_t x = ck_f32_to_bits(f);
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
  uint32_t e = ax >> 23;                         // 102 ... 112
  uint32_t m = (ax & 0x7fffffu) | 0x800000u;     // f = m * 2^(e-150)
  uint32_t shift = 126u - e;                     // 14 ... 24
  uint32_t h = m >> shift;
  uint32_t rest = m & ((1u << shift) - 1u);
  uint32_t halfway = 1u << (shift - 1u);
  if (rest > halfway || (rest == halfway && (h & 1u))) h += 1;  // may carry into 0x400: min normal
  return (uint16_t)(sign | h);
}

/// Exact conversion of a bfloat16 bit pattern (the high 16 bits of a float) to float.
static inline float ck_bfloat16_to_float(uint16_t b) { return ck_bits_to_f32((uint32_t)b << 16); }

/// float -> bfloat16, rounding to nearest even, overflow to infinity; a NaN stays a NaN (quieted,
/// top payload bits kept, even when the dropped low bits held its whole payload).
static inline uint16_t ck_float_to_bfloat16(float f) {
  const uint32_t x = ck_f32_to_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x0040u);
  return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}
#endif
