// Array forms of the 16-bit conversions (see ck_convert.h and half.h).
#include "ck_convert.h"
#include "half.h"

void ck_f16_to_f32(const uint16_t *x, int64_t n, float *out) {
  for (int64_t i = 0; i < n; i++) out[i] = ck_half_to_float(x[i]);
}

void ck_f32_to_f16(const float *x, int64_t n, uint16_t *out) {
  for (int64_t i = 0; i < n; i++) out[i] = ck_float_to_half(x[i]);
}

void ck_bf16_to_f32(const uint16_t *x, int64_t n, float *out) {
  for (int64_t i = 0; i < n; i++) out[i] = ck_bfloat16_to_float(x[i]);
}

void ck_f32_to_bf16(const float *x, int64_t n, uint16_t *out) {
  for (int64_t i = 0; i < n; i++) out[i] = ck_float_to_bfloat16(x[i]);
}
