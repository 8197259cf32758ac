#ifndef CK_ROWS_H
#define CK_ROWS_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Row-wise inner loops of CosineKit.
//
// All matrices are `rows` contiguous rows of `n` elements: row r starts at r*n.
// n == 0 and rows == 0 are allowed (pointers are then not dereferenced).
// Half-precision data is passed as IEEE binary16 bit patterns in uint16_t.
//
// Accumulation: float and double inputs accumulate in double (float products are then exact);
// half inputs accumulate in float. Results are written as double.
//
// Every function runs the implementation of the calling thread's kernel level (ck_cpu.h):
// AVX-512, AVX2+FMA+F16C, or portable scalar code, with no compiler flags needed.
// Element-wise results (rowgrad, rowscale) are bit-identical on every implementation.
// The AVX-512 element-wise kernels write with non-temporal stores when a call touches more
// than ~24 MiB (read + written): such outputs are not left in the caches.

/// Per row r: out[3r+0] = Σ a·b, out[3r+1] = Σ a², out[3r+2] = Σ b².
void ck_rowsums_f32(const float *a, const float *b, size_t rows, size_t n, double *out);
void ck_rowsums_f64(const double *a, const double *b, size_t rows, size_t n, double *out);
void ck_rowsums_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, double *out);

/// Backward pass. Per row r with coef + 4r = {ca, da, cb, db}:
///   ga[r*n+i] = ca*b[i] - da*a[i];   gb[r*n+i] = cb*a[i] - db*b[i]
/// Evaluated in double for f32/f64 (two products, one difference, then one rounding to the
/// storage type), in float for f16 (coefficients rounded to float) then rounded to binary16
/// (nearest even, overflow to infinity). ga or gb may be NULL: that output is skipped.
/// An output may be the same array as an input of the same row (in place).
void ck_rowgrad_f32(const float *a, const float *b, size_t rows, size_t n, const double *coef, float *ga, float *gb);
void ck_rowgrad_f64(const double *a, const double *b, size_t rows, size_t n, const double *coef, double *ga, double *gb);
void ck_rowgrad_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, const double *coef, uint16_t *ga, uint16_t *gb);

/// Per row r: out[r*n+i] = scale[r] * x[r*n+i] (double multiply for f32/f64, float for f16).
/// out may equal x.
void ck_rowscale_f32(const float *x, size_t rows, size_t n, const double *scale, float *out);
void ck_rowscale_f64(const double *x, size_t rows, size_t n, const double *scale, double *out);
void ck_rowscale_f16(const uint16_t *x, size_t rows, size_t n, const double *scale, uint16_t *out);

/// Column kernels, for rows strided across memory (a reduced axis that is not the last one):
// element i of n belongs to row i, and one call processes one position along the axis.
//   colsums: d[i] += a[i]·b[i];  q1[i] += a[i]²;  q2[i] += b[i]²  (double accumulators)
//   colgrad: ga[i] = ca[i]·b[i] − da[i]·a[i];  gb[i] = cb[i]·a[i] − db[i]·b[i]  (in double, rounded once;
//            ga or gb may be NULL)
void ck_colsums_f32(const float *a, const float *b, size_t n, double *d, double *q1, double *q2);
void ck_colgrad_f32(const float *a, const float *b, size_t n, const double *ca, const double *da, const double *cb,
                    const double *db, float *ga, float *gb);

#ifdef __cplusplus
}
#endif
#endif
