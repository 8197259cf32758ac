// Split panels (float only): exact search and the bfloat16 prefilter over corpus panels stored
// as their high and low 16-bit halves (see ck_split_panels_f32 in ck_gemm.h).
//
// Included by gemm_template.h where CG_SPLIT_LOAD is defined; uses that file's macros and
// functions (load_b, micro, store, the top-k heaps, CG_CASES).

CG_ATTR int CG_FN(ck_search_split)(const CG_T *a, int64_t m, int64_t aw, const uint16_t *hi,
                                    const uint16_t *lo, int64_t first_row, int64_t rows,
                                    int64_t n_valid, int64_t d, int64_t id_offset, CG_HEAPS h) {
  if (m <= 0 || h.k <= 0 || rows <= 0) return CK_OK;
  CG_T *thr = (CG_T *)malloc((size_t)m * sizeof(CG_T));
  if (!thr) return CK_ERROR_ALLOCATION;
  for (int64_t q = 0; q < m; q++)
    thr[q] = CG_TK(threshold)(h.scores + q * h.capacity, h.sizes[q], h.k, h.capacity);
  switch (aw) {
#define CG_SPLIT_CASE(R)                                                                        \
  case R:                                                                                       \
    if (R <= CG_MR)                                                                             \
      CG_FN(search_mr)(1, R <= CG_MR ? R : 1, a, m, hi, lo, first_row, rows, n_valid, d, id_offset, \
                       h, thr);                                                                 \
    break;
    CG_CASES(CG_SPLIT_CASE)
#undef CG_SPLIT_CASE
    default: break;
  }
  free(thr);
  return CK_OK;
}

/// The approximate pass (see ck_prefilter_f32): bfloat16-truncated corpus values, every query
/// tile against each panel; flags panels whose best approximate score comes within `slack` of
/// a query's running k-th best.
static inline __attribute__((always_inline)) CG_ATTR int64_t CG_FN(prefilter_mr)(
    const int mr, const CG_T *a, int64_t m, const uint16_t *hi, int64_t first_row, int64_t rows,
    int64_t n_valid, int64_t d, CG_T slack, CG_HEAPS h, CG_T *thr, int64_t *flagged,
    CG_T *flagged_max) {
  const int64_t k = h.k;
  const int64_t pa = (m + mr - 1) / mr;
  const int64_t jp0 = first_row / CG_NR;
  int64_t end = first_row + rows;
  if (end > n_valid) end = n_valid;
  if (end <= first_row) return 0;
  const int64_t jp1 = (end + CG_NR - 1) / CG_NR;
  int64_t nf = 0;
  CG_V acc[CG_MR][CG_NRV];
  for (int64_t jp = jp0; jp < jp1; jp++) {
    const uint16_t *p0 = hi + jp * CG_NR * d;
    const int64_t j0 = jp * CG_NR;
    const int64_t lanes = end - j0 < CG_NR ? end - j0 : CG_NR;
    int flag = 0;
    for (int64_t ia = 0; ia < pa; ia++) {
      CG_FN(micro)(2, mr, d, a + ia * mr * d, p0, 0, acc);
      const int64_t q0 = ia * mr;
      const int qrows = (int)(m - q0 < mr ? m - q0 : mr);
      for (int i = 0; i < mr; i++) {
        if (i >= qrows) break;
        const int64_t q = q0 + i;
        CG_T tmp[CG_NR];
        for (int v = 0; v < CG_NRV; v++) *(CG_VU *)(tmp + v * CG_VL) = acc[i][v];
        CG_T best = -__builtin_inf();
        for (int64_t j = 0; j < lanes; j++)
          if (tmp[j] > best) best = tmp[j];  // NaN lanes ignored
        CG_T tq = thr[q];
        if (tq != tq || best > tq - slack) flag = 1;
        flagged_max[nf * m + q] = best;
        const CG_V t = tq;
        int any = 0;
        for (int v = 0; v < CG_NRV; v++) any |= __builtin_reduce_or(~(acc[i][v] <= t));
        if (!any) continue;
        CG_T *hs = h.scores + q * h.capacity;
        int64_t *hid = h.ids + q * h.capacity;
        for (int64_t j = 0; j < lanes; j++) {
          CG_T s = tmp[j];
          if (s <= tq) continue;
          tq = CG_TK(offer_candidate)(hs, hid, h.sizes + q, k, h.capacity, s, j0 + j, tq);
        }
        thr[q] = tq;
      }
    }
    if (flag) flagged[nf++] = jp;
  }
  return nf;
}

CG_ATTR int64_t CG_FN(ck_prefilter)(const CG_T *a, int64_t m, int64_t aw, const uint16_t *hi,
                                    int64_t first_row, int64_t rows, int64_t n_valid, int64_t d,
                                    CG_T slack, CG_HEAPS h, int64_t *flagged, CG_T *flagged_max) {
  if (m <= 0 || h.k <= 0 || rows <= 0) return 0;
  CG_T *thr = (CG_T *)malloc((size_t)m * sizeof(CG_T));
  if (!thr) return -1;
  for (int64_t q = 0; q < m; q++)
    thr[q] = CG_TK(threshold)(h.scores + q * h.capacity, h.sizes[q], h.k, h.capacity);
  int64_t nf = 0;
  switch (aw) {
#define CG_PREFILTER_CASE(R)                                                                   \
  case R:                                                                                      \
    if (R <= CG_MR)                                                                            \
      nf = CG_FN(prefilter_mr)(R <= CG_MR ? R : 1, a, m, hi, first_row, rows, n_valid, d, slack, \
                               h, thr, flagged, flagged_max);                                  \
    break;
    CG_CASES(CG_PREFILTER_CASE)
#undef CG_PREFILTER_CASE
    default: break;
  }
  free(thr);
  return nf;
}
