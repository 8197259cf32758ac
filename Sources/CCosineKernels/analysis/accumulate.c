// Centroid sums of the analyses: rows scaled and added in double, one fused multiply-add per
// element, in row order, so every instruction set gives the same bits.
#include "../cpu/cpu_features.h"
#include "ck_analysis.h"
#pragma clang fp contract(off)

typedef double ck_acc_d8 __attribute__((ext_vector_type(8), aligned(8)));
typedef float ck_acc_f8 __attribute__((ext_vector_type(8), aligned(4)));

#define CG_ACC_BODY(T, LOADV)                                                   \
  for (int64_t i = 0; i < count; i++) {                                         \
    const T *row = x + rows[i] * d;                                             \
    const double f = scale[rows[i]];                                            \
    const ck_acc_d8 fv = f;                                                     \
    int64_t j = 0;                                                              \
    for (; j + 8 <= d; j += 8) {                                                \
      ck_acc_d8 acc = *(const ck_acc_d8 *)(sum + j);                            \
      acc = __builtin_elementwise_fma(LOADV(row + j), fv, acc);                 \
      *(ck_acc_d8 *)(sum + j) = acc;                                            \
    }                                                                           \
    for (; j < d; j++) sum[j] = __builtin_elementwise_fma((double)row[j], f, sum[j]); \
  }

#define CG_LOAD_F32(p) __builtin_convertvector(*(const ck_acc_f8 *)(p), ck_acc_d8)
#define CG_LOAD_F64(p) (*(const ck_acc_d8 *)(p))

#if CK_X86
__attribute__((target(CK_AVX512_FEATURES))) static void acc_f32_avx512(
    const float *x, int64_t d, const int64_t *rows, int64_t count, const double *scale, double *sum) {
  CG_ACC_BODY(float, CG_LOAD_F32)
}
__attribute__((target(CK_AVX2_FEATURES))) static void acc_f32_avx2(
    const float *x, int64_t d, const int64_t *rows, int64_t count, const double *scale, double *sum) {
  CG_ACC_BODY(float, CG_LOAD_F32)
}
__attribute__((target(CK_AVX512_FEATURES))) static void acc_f64_avx512(
    const double *x, int64_t d, const int64_t *rows, int64_t count, const double *scale, double *sum) {
  CG_ACC_BODY(double, CG_LOAD_F64)
}
__attribute__((target(CK_AVX2_FEATURES))) static void acc_f64_avx2(
    const double *x, int64_t d, const int64_t *rows, int64_t count, const double *scale, double *sum) {
  CG_ACC_BODY(double, CG_LOAD_F64)
}
#endif

static void acc_f32_portable(const float *x, int64_t d, const int64_t *rows, int64_t count,
                             const double *scale, double *sum) {
  CG_ACC_BODY(float, CG_LOAD_F32)
}
static void acc_f64_portable(const double *x, int64_t d, const int64_t *rows, int64_t count,
                             const double *scale, double *sum) {
  CG_ACC_BODY(double, CG_LOAD_F64)
}

void ck_accumulate_rows_f32(const float *x, int64_t d, const int64_t *rows, int64_t count,
                            const double *scale, double *sum) {
#if CK_X86
  const int level = ck_level();
  if (level >= 2) return acc_f32_avx512(x, d, rows, count, scale, sum);
  if (level >= 1) return acc_f32_avx2(x, d, rows, count, scale, sum);
#endif
  acc_f32_portable(x, d, rows, count, scale, sum);
}

void ck_accumulate_rows_f64(const double *x, int64_t d, const int64_t *rows, int64_t count,
                            const double *scale, double *sum) {
#if CK_X86
  const int level = ck_level();
  if (level >= 2) return acc_f64_avx512(x, d, rows, count, scale, sum);
  if (level >= 1) return acc_f64_avx2(x, d, rows, count, scale, sum);
#endif
  acc_f64_portable(x, d, rows, count, scale, sum);
}
