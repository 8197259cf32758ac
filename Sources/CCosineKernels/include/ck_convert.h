#ifndef CK_CONVERT_H
#define CK_CONVERT_H
#include <stdint.h>

// Conversions between float and the 16-bit formats, element by element over arrays: the same
// functions every kernel of CCosineKernels uses in its portable code.
//
// Half: IEEE binary16 bit patterns. bfloat16: the high 16 bits of an IEEE binary32.
// n <= 0 does nothing.

#ifdef __cplusplus
extern "C" {
#endif

/// `out[i] = (float)x[i]`, exact; NaNs are quieted (payload kept).
void ck_f16_to_f32(const uint16_t *x, int64_t n, float *out);
/// `out[i]` = the half nearest to `x[i]`: ties to even, overflow to ±infinity, subnormals kept,
/// NaN stays NaN (quieted, top payload bits kept).
void ck_f32_to_f16(const float *x, int64_t n, uint16_t *out);
/// `out[i] = (float)x[i]`, exact (a NaN keeps its bits).
void ck_bf16_to_f32(const uint16_t *x, int64_t n, float *out);
/// `out[i]` = the bfloat16 nearest to `x[i]`: ties to even, overflow to ±infinity, NaN stays NaN
/// (quieted, top payload bits kept).
void ck_f32_to_bf16(const float *x, int64_t n, uint16_t *out);

#ifdef __cplusplus
}
#endif
#endif
