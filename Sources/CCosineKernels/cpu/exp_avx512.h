// Private to CCosineKernels: e^x sixteen lanes at a time (range reduction by ln 2 in two parts, a
// degree-6 polynomial, then scalef), relative error below 3e-7. Include after <immintrin.h> and
// cpu_features.h, in x86-64 code only.
#ifndef CK_EXP_AVX512_H
#define CK_EXP_AVX512_H

/// e^x lane-wise for x ≤ 88.7; 0 below −103 (and for −∞); NaN stays NaN.
static inline __attribute__((always_inline, target(CK_AVX512_FEATURES))) __m512 ck_exp_avx512(__m512 x) {
  const __m512 lo = _mm512_set1_ps(-103.0f);
  const __mmask16 tiny = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
  // vmaxps / vminps return their second operand when either is NaN: x goes second so that a NaN
  // argument stays NaN.
  x = _mm512_max_ps(lo, x);
  x = _mm512_min_ps(_mm512_set1_ps(88.7f), x);
  const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.428606765330187045e-06f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_maskz_mov_ps((__mmask16)~tiny, _mm512_scalef_ps(p, k));
}

#endif
