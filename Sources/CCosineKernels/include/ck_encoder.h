#ifndef CK_ENCODER_H
#define CK_ENCODER_H
#include <stdint.h>

// The elementwise kernels of the sentence encoder's forward pass, dispatched at run time like the
// others: AVX-512, or portable C with the C library's erfcf and expf.

#ifdef __cplusplus
extern "C" {
#endif

/// x[i] ← x[i]·(1 + erf(x[i]/√2))/2 for i < n: the exact (erf) GELU. The AVX-512 form evaluates
/// erf by a polynomial in z² for |z| < 1 and erfc(|z|) = e^(−z²)·R(1/|z|) beyond (z² split in two
/// parts): within 2e-6 of the float64 GELU of the same float x, relative to max(|GELU(x)|, 1e-3),
/// most of it the rounding of x/√2 that the C library form shares; NaN stays NaN.
void ck_gelu_erf_f32(float *x, int64_t n);

/// g[i] ← GELU(x[i]) as ck_gelu_erf_f32, and d[i] ← its derivative Φ(x) + x·e^(−x²/2)/√(2π)
/// (Φ the normal CDF), for the backward pass: GELU as ck_gelu_erf_f32, the derivative within 3e-6
/// of the float64 value relative to the larger of its two terms (they cancel for negative x) or
/// 1e-3. NaN stays NaN.
void ck_gelu_erf_derivative_f32(const float *x, float *g, float *d, int64_t n);

/// Each row of the `rows` × `cols` tile s (row stride lds) becomes softmax(scale·row): the row's
/// largest value subtracted before the exponential, then divided by the row's sum.
void ck_softmax_rows_f32(float *s, int64_t lds, int64_t rows, int64_t cols, float scale);

/// x ← LayerNorm(x + add) row by row (`add` may be NULL): per row of `width` values, the mean and
/// the biased variance of y = x + add (two passes over y, in float), then
/// (y − mean)/√(variance + eps)·gamma + beta. `add` is stored into x first when given.
void ck_add_layer_norm_f32(float *x, const float *add, int64_t rows, int64_t width, const float *gamma,
                           const float *beta, float eps);

#ifdef __cplusplus
}
#endif
#endif
