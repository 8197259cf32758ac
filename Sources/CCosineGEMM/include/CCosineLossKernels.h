#ifndef CCOSINELOSSKERNELS_H
#define CCOSINELOSSKERNELS_H
#include <stdint.h>

// Kernels of the streaming batch losses (the gradient GEMMs of a score tile), dispatched at run
// time like the packed kernels: AVX-512, AVX2 + FMA or portable C.

#ifdef __cplusplus
extern "C" {
#endif

/// C[i][j] += Σ_p A(i, p) · B[p][j] for i < m, j < n, p < k, where A(i, p) = a[i·a_rs + p·a_cs]
/// (a_rs = lda, a_cs = 1 reads A; a_rs = 1, a_cs = lda reads Aᵀ) and B and C are row-major with
/// row strides ldb and ldc. Each C element gets one chain of fused multiply-adds over p, added
/// to its old value once. Not clamped.
void cg_loss_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                      const float *b, int64_t ldb, float *c, int64_t ldc);
void cg_loss_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs,
                      int64_t a_cs, const double *b, int64_t ldb, double *c, int64_t ldc);

#ifdef __cplusplus
}
#endif
#endif
