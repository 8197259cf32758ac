// The top-k selection and final sort of the search kernels, compiled once per scalar type (none
// of it depends on the instruction set; the search loops inline the offers from the same
// template), and the offers of the half-triangle self-search (their threshold test has an
// AVX-512 form).
#include "internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define TK_COLD
#define TK_T float
#define TK_FN(x) x##_f32
#define TK_HEAPS ck_heaps_f32
#include "topk_template.h"
#undef TK_T
#undef TK_FN
#undef TK_HEAPS

void ck_heaps_offer_f32(ck_heaps_f32 h, int64_t q, float s, int64_t id) {
  float *hs = h.scores + q * h.capacity;
  int64_t *hi = h.ids + q * h.capacity;
  if (h.capacity > h.k) {
    // A reservoir keeps the best k at each selection whatever was appended.
    offer_reservoir_f32(hs, hi, h.sizes + q, h.k, h.capacity, s, id, __builtin_nanf(""));
  } else if (h.k > 0) {
    offer_f32(hs, hi, h.sizes + q, h.k, s, id);
  }
}

// The offers of the half-triangle self-search: each pair of rows of one matrix is scored once
// and offered to both rows' slots.

/// Offers s[i][j] of row `q` against column `c` to both slots, each behind its threshold.
static inline void offer_pair(const ck_heaps_f32 h, int64_t q, int64_t c, float v, float *row_threshold,
                              float *col_threshold) {
  if (!(v < *row_threshold))
    *row_threshold = offer_candidate_f32(h.scores + q * h.capacity, h.ids + q * h.capacity, h.sizes + q, h.k,
                                               h.capacity, v, c, *row_threshold);
  if (!(v < *col_threshold))
    *col_threshold = offer_candidate_f32(h.scores + c * h.capacity, h.ids + c * h.capacity, h.sizes + c, h.k,
                                               h.capacity, v, q, *col_threshold);
}

#if defined(__x86_64__)
/// The row loop with 16 scores at a time tested against both thresholds (vcmpps with "not less
/// than, or unordered", the scalar test `!(v < t)`), the scalar offers only for lanes that pass.
__attribute__((target(CG_AVX512_FEATURES))) static int64_t scan_avx512(const float *si, int64_t j, int64_t cols,
                                                                      int64_t q, int64_t col0,
                                                                      const ck_heaps_f32 h, float *rt,
                                                                      float *thr) {
  for (; j + 16 <= cols; j += 16) {
    const __m512 v = _mm512_loadu_ps(si + j);
    const __mmask16 pass = _mm512_cmp_ps_mask(v, _mm512_set1_ps(*rt), _CMP_NLT_UQ) |
                           _mm512_cmp_ps_mask(v, _mm512_loadu_ps(thr + j), _CMP_NLT_UQ);
    if (!pass) continue;
    for (int l = 0; l < 16; l++)
      if (pass & (1u << l)) offer_pair(h, q, col0 + j + l, si[j + l], rt, thr + j + l);
  }
  return j;
}
#endif

void ck_offer_pairs_f32(const float *s, int64_t lds, int64_t rows, int64_t cols, int64_t row0, int64_t col0,
                        ck_heaps_f32 h, float *thr) {
  if (h.k <= 0) return;
  for (int64_t j = 0; j < cols; j++)
    thr[j] = threshold_f32(h.scores + (col0 + j) * h.capacity, h.sizes[col0 + j], h.k, h.capacity);
#if defined(__x86_64__)
  const int wide = ck_level() == 2;
#endif
  for (int64_t i = 0; i < rows; i++) {
    const int64_t q = row0 + i;
    float rt = threshold_f32(h.scores + q * h.capacity, h.sizes[q], h.k, h.capacity);
    const float *si = s + i * lds;
    int64_t j = q + 1 - col0 > 0 ? q + 1 - col0 : 0;
#if defined(__x86_64__)
    if (wide) j = scan_avx512(si, j, cols, q, col0, h, &rt, thr);
#endif
    for (; j < cols; j++) offer_pair(h, q, col0 + j, si[j], &rt, thr + j);
  }
}

#define TK_T double
#define TK_FN(x) x##_f64
#define TK_HEAPS ck_heaps_f64
#include "topk_template.h"
#undef TK_T
#undef TK_FN
#undef TK_HEAPS
#undef TK_COLD
