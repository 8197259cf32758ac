#ifndef CK_LOSS_H
#define CK_LOSS_H
#include <stdint.h>

// Kernels of the streaming batch losses (the gradient GEMMs of a score tile), dispatched at run
// time like the packed kernels: AVX-512, AVX2 + FMA or portable C.

#ifdef __cplusplus
extern "C" {
#endif

/// C[i][j] += Σ_p A(i, p) · B[p][j] for i < m, j < n, p < k, where A(i, p) = a[i·a_rs + p·a_cs]
/// (a_rs = lda, a_cs = 1 reads A; a_rs = 1, a_cs = lda reads Aᵀ) and B and C are row-major with
/// row strides ldb and ldc. Each C element continues one chain of fused multiply-adds over p in
/// order from its old value, whatever the blocking (the packed micro-kernel of the CPU's family).
/// Not clamped.
void ck_loss_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                      const float *b, int64_t ldb, float *c, int64_t ldc);
void ck_loss_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs,
                      int64_t a_cs, const double *b, int64_t ldb, double *c, int64_t ldc);

/// C[i][j] = Σ_p A(i, p) · B[p][j]: ck_loss_gemm_f32 with every chain started from 0 instead of
/// from C, whose old values are never read (it may be uninitialized memory); k = 0 stores zeros.
/// The product of `matmul` and the dense layers.
void ck_matmul_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                   const float *b, int64_t ldb, float *c, int64_t ldc);
void ck_matmul_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs, int64_t a_cs,
                   const double *b, int64_t ldb, double *c, int64_t ldc);

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// Folds the logits `scale·s` of a tile (`rows` × `cols`, row stride lds) into running per-row
/// log-sum-exp states: `m[r]` (the largest logit so far, −∞ at first) and `sum[r]` (Σ exp(logit
/// − m[r])), in double. A NaN logit makes the row's state NaN.
void ck_loss_lse_rows_f32(const float *s, int64_t lds, int64_t rows, int64_t cols, double scale, double *m,
                          double *sum);
void ck_loss_lse_rows_f64(const double *s, int64_t lds, int64_t rows, int64_t cols, double scale, double *m,
                          double *sum);

/// In place over a tile of cosines: `s[r][c] = f[r] · exp(scale·s[r][c] − ref[r])` (rounded
/// once), returning `Σ_r w[r] · Σ_c exp(scale·s − ref[r]) · s` accumulated in double.
double ck_loss_softmax_rows_f32(float *s, int64_t lds, int64_t rows, int64_t cols, double scale,
                                const double *ref, const double *f, const double *w);
double ck_loss_softmax_rows_f64(double *s, int64_t lds, int64_t rows, int64_t cols, double scale,
                                const double *ref, const double *f, const double *w);

#ifdef __cplusplus
}
#endif
#endif
