// AVX-512 versions of the f32 tile statistics in loss_rows.c: the exponential is evaluated 16
// lanes at a time (range reduction by ln 2 in two parts, a degree-6 polynomial, then scalef),
// with a relative error below 3e-7, and every row's sum is added to the double state once.
#include <math.h>
#include "../cpu/cpu_features.h"
#include "ck_loss.h"

#if CK_X86
#include <immintrin.h>
#define LR_ATTR __attribute__((target(CK_AVX512_FEATURES)))
#include "../cpu/exp_avx512.h"
#define lr_exp ck_exp_avx512

LR_ATTR void ck_loss_lse_rows_f32_avx512(const float *s, int64_t lds, int64_t rows, int64_t cols,
                                         double scale, double *m, double *sum) {
  const __m512 sc = _mm512_set1_ps((float)scale);
  for (int64_t r = 0; r < rows; r++) {
    const float *row = s + r * lds;
    if (cols <= 0) continue;
    __m512 mx = _mm512_set1_ps(-INFINITY);
    __mmask16 nan = 0;
    int64_t c = 0;
    for (; c + 16 <= cols; c += 16) {
      const __m512 v = _mm512_loadu_ps(row + c);
      nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
      mx = _mm512_max_ps(mx, v);
    }
    float tail_max = -INFINITY;
    for (int64_t t = c; t < cols; t++) {
      if (row[t] != row[t]) nan = 1;
      tail_max = row[t] > tail_max ? row[t] : tail_max;
    }
    float mxs = _mm512_reduce_max_ps(mx);
    mxs = tail_max > mxs ? tail_max : mxs;
    if (nan || m[r] != m[r] || sum[r] != sum[r]) {
      m[r] = NAN;
      sum[r] = NAN;
      continue;
    }
    const double cm = scale * (double)mxs;
    const __m512 negm = _mm512_set1_ps((float)-cm);
    __m512 acc = _mm512_setzero_ps();
    for (c = 0; c + 16 <= cols; c += 16)
      acc = _mm512_add_ps(acc, lr_exp(_mm512_fmadd_ps(sc, _mm512_loadu_ps(row + c), negm)));
    if (c < cols) {
      const __mmask16 k = (__mmask16)((1u << (cols - c)) - 1);
      const __m512 e = lr_exp(_mm512_fmadd_ps(sc, _mm512_maskz_loadu_ps(k, row + c), negm));
      acc = _mm512_add_ps(acc, _mm512_maskz_mov_ps(k, e));
    }
    const double cs = (double)_mm512_reduce_add_ps(acc);
    if (sum[r] == 0) {
      m[r] = cm;
      sum[r] = cs;
    } else if (cm > m[r]) {
      sum[r] = sum[r] * exp(m[r] - cm) + cs;
      m[r] = cm;
    } else {
      sum[r] += cs * exp(cm - m[r]);
    }
  }
}

LR_ATTR double ck_loss_softmax_rows_f32_avx512(float *s, int64_t lds, int64_t rows, int64_t cols,
                                               double scale, const double *ref, const double *f,
                                               const double *w) {
  const __m512 sc = _mm512_set1_ps((float)scale);
  double total = 0;
  for (int64_t r = 0; r < rows; r++) {
    float *row = s + r * lds;
    const __m512 negref = _mm512_set1_ps((float)-ref[r]), fr = _mm512_set1_ps((float)f[r]);
    __m512 acc = _mm512_setzero_ps();
    int64_t c = 0;
    for (; c + 16 <= cols; c += 16) {
      const __m512 v = _mm512_loadu_ps(row + c);
      const __m512 p = lr_exp(_mm512_fmadd_ps(sc, v, negref));
      acc = _mm512_fmadd_ps(p, v, acc);
      _mm512_storeu_ps(row + c, _mm512_mul_ps(fr, p));
    }
    if (c < cols) {
      const __mmask16 k = (__mmask16)((1u << (cols - c)) - 1);
      const __m512 v = _mm512_maskz_loadu_ps(k, row + c);
      const __m512 p = _mm512_maskz_mov_ps(k, lr_exp(_mm512_fmadd_ps(sc, v, negref)));
      acc = _mm512_fmadd_ps(p, v, acc);
      _mm512_mask_storeu_ps(row + c, k, _mm512_mul_ps(fr, p));
    }
    total += w[r] * (double)_mm512_reduce_add_ps(acc);
  }
  return total;
}
#endif
