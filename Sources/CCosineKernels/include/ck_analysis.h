#ifndef CK_ANALYSIS_H
#define CK_ANALYSIS_H
#include <stdint.h>

// Helpers of the analyses (k-means centroid sums), dispatched at run time like the GEMM kernels.

#ifdef __cplusplus
extern "C" {
#endif

/// For i in 0..<count, in order: sum[j] = fma(x[rows[i]·d + j], scale[rows[i]], sum[j]) for
/// j < d, in double (floats widened exactly). Every instruction set gives the same bits.
void ck_accumulate_rows_f32(const float *x, int64_t d, const int64_t *rows, int64_t count,
                            const double *scale, double *sum);
void ck_accumulate_rows_f64(const double *x, int64_t d, const int64_t *rows, int64_t count,
                            const double *scale, double *sum);

#ifdef __cplusplus
}
#endif
#endif
