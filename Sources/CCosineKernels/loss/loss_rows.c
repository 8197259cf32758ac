// Row-wise softmax statistics of the streaming losses' score tiles (see ck_loss.h).
// Portable C (libm exponentials) for every type; Float tiles use the AVX-512 versions in
// loss_rows_avx512.c when the CPU has it. Every row state is accumulated in double.
#include <math.h>
#include "../cpu/cpu_features.h"
#include "ck_loss.h"

#if CK_X86
void ck_loss_lse_rows_f32_avx512(const float *s, int64_t lds, int64_t rows, int64_t cols, double scale,
                                 double *m, double *sum);
double ck_loss_softmax_rows_f32_avx512(float *s, int64_t lds, int64_t rows, int64_t cols, double scale,
                                       const double *ref, const double *f, const double *w);
#endif

#define LR_DEFINE(SUF, T)                                                                          \
  static void lse_rows_##SUF(const T *s, int64_t lds, int64_t rows, int64_t cols, double scale,   \
                              double *m, double *sum) {                                            \
    for (int64_t r = 0; r < rows; r++) {                                                           \
      const T *row = s + r * lds;                                                                  \
      if (cols <= 0) continue;                                                                     \
      T mx = row[0];                                                                               \
      int nan = mx != mx;                                                                          \
      for (int64_t c = 1; c < cols; c++) {                                                         \
        const T v = row[c];                                                                        \
        nan |= v != v;                                                                             \
        mx = v > mx ? v : mx;                                                                      \
      }                                                                                            \
      if (nan || m[r] != m[r] || sum[r] != sum[r]) {                                               \
        m[r] = NAN;                                                                                \
        sum[r] = NAN;                                                                              \
        continue;                                                                                  \
      }                                                                                            \
      const double cm = scale * (double)mx;                                                        \
      double cs = 0;                                                                               \
      for (int64_t c = 0; c < cols; c++) cs += exp(scale * (double)row[c] - cm);                   \
      if (sum[r] == 0) {                                                                           \
        m[r] = cm;                                                                                 \
        sum[r] = cs;                                                                               \
      } else if (cm > m[r]) {                                                                      \
        sum[r] = sum[r] * exp(m[r] - cm) + cs;                                                     \
        m[r] = cm;                                                                                 \
      } else {                                                                                     \
        sum[r] += cs * exp(cm - m[r]);                                                             \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
                                                                                                   \
  static double softmax_rows_##SUF(T *s, int64_t lds, int64_t rows, int64_t cols, double scale,   \
                                    const double *ref, const double *f, const double *w) {         \
    double total = 0;                                                                              \
    for (int64_t r = 0; r < rows; r++) {                                                           \
      T *row = s + r * lds;                                                                        \
      const double rr = ref[r], fr = f[r];                                                         \
      double acc = 0;                                                                              \
      for (int64_t c = 0; c < cols; c++) {                                                         \
        const double v = (double)row[c];                                                           \
        const double p = exp(scale * v - rr);                                                      \
        acc += p * v;                                                                              \
        row[c] = (T)(fr * p);                                                                      \
      }                                                                                            \
      total += w[r] * acc;                                                                         \
    }                                                                                              \
    return total;                                                                                  \
  }

LR_DEFINE(f32, float)
LR_DEFINE(f64, double)

void ck_loss_lse_rows_f32(const float *s, int64_t lds, int64_t rows, int64_t cols, double scale, double *m,
                          double *sum) {
#if CK_X86
  if (ck_level() == 2) return ck_loss_lse_rows_f32_avx512(s, lds, rows, cols, scale, m, sum);
#endif
  lse_rows_f32(s, lds, rows, cols, scale, m, sum);
}

void ck_loss_lse_rows_f64(const double *s, int64_t lds, int64_t rows, int64_t cols, double scale, double *m,
                          double *sum) {
  lse_rows_f64(s, lds, rows, cols, scale, m, sum);
}

double ck_loss_softmax_rows_f32(float *s, int64_t lds, int64_t rows, int64_t cols, double scale,
                                const double *ref, const double *f, const double *w) {
#if CK_X86
  if (ck_level() == 2) return ck_loss_softmax_rows_f32_avx512(s, lds, rows, cols, scale, ref, f, w);
#endif
  return softmax_rows_f32(s, lds, rows, cols, scale, ref, f, w);
}

double ck_loss_softmax_rows_f64(double *s, int64_t lds, int64_t rows, int64_t cols, double scale,
                                const double *ref, const double *f, const double *w) {
  return softmax_rows_f64(s, lds, rows, cols, scale, ref, f, w);
}
