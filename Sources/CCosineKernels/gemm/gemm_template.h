// Register-blocked kernels for one element type and one instruction set.
//
// Included by the kernel files with these macros defined:
//   CG_T      element type (float or double)
//   CG_VL     lanes per vector register
//   CG_NRV    vectors per corpus panel row; the corpus panel width is NR = CG_VL · CG_NRV
//   CG_MR     largest query panel width (rows held in registers)
//   CG_ATTR   function attributes (target features) of this instruction set
//   CG_FN(x)  x with the suffix of this instantiation (for example x##_f32_avx512)
//   CG_HEAPS  the heap struct of CG_T
//
// The micro-kernel keeps an MR × NR block of C in registers and runs the whole reduction over
// k in them: per k it loads NRV vectors of the corpus panel and broadcasts each query element,
// one fused multiply-add per accumulator. Each accumulator lane is therefore the sequential
// chain fma(a[d−1], b[d−1], … fma(a[0], b[0], 0)), the same on every path.

#define CG_NR (CG_VL * CG_NRV)
#define CG_ROWS(X) \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define CG_V CG_FN(vec)
#define CG_VU CG_FN(vecu)

typedef CG_T CG_V __attribute__((ext_vector_type(CG_VL)));
typedef CG_T CG_VU __attribute__((ext_vector_type(CG_VL), aligned(sizeof(CG_T))));

// MARK: Micro-kernel

/// Loads row k of a corpus panel as NRV vectors of NR lanes in row order. `mode` 0: plain
/// panels of CG_T at `b0`. Mode 1 (float only): split panels, the high 16 bits of each float at
/// `b0` and the low 16 bits at `b1`, lanes in the order CG_SPLIT_LOAD undoes. Mode 2: the high
/// halves alone, i.e. every value truncated to bfloat16.
static inline __attribute__((always_inline)) CG_ATTR void CG_FN(load_b)(
    const int mode, const void *b0, const void *b1, int64_t k, CG_V bv[CG_NRV]) {
  if (mode == 0) {
    for (int v = 0; v < CG_NRV; v++) bv[v] = *(const CG_VU *)((const CG_T *)b0 + k * CG_NR + v * CG_VL);
  }
#ifdef CG_SPLIT_LOAD
  else if (mode == 1) {
    CG_SPLIT_LOAD(bv, (const uint16_t *)b0 + k * CG_NR, (const uint16_t *)b1 + k * CG_NR);
  } else {
    CG_APPROX_LOAD(bv, (const uint16_t *)b0 + k * CG_NR);
  }
#else
  (void)b1;
#endif
}

/// Continues the chains: acc[i][v] += a[k·lda + i] · b[k·NR + v·VL ..< +VL] for k < d.
/// Rows are spelled out (not a loop) so that, with `mr` a constant, every accumulator lives in
/// a register.
static inline __attribute__((always_inline)) CG_ATTR void CG_FN(micro_more)(
    const int mode, const int mr, int64_t d, const CG_T *restrict a, int64_t lda, const void *b0,
    const void *b1, CG_V acc[CG_MR][CG_NRV]) {
  for (int64_t k = 0; k < d; k++) {
    CG_V bv[CG_NRV];
    CG_FN(load_b)(mode, b0, b1, k, bv);
    const CG_T *ak = a + k * lda;
#define CG_FMA_ROW(i)                                                                       \
  if (i < mr) {                                                                             \
    const CG_V x = ak[i < mr ? i : 0];                                                      \
    for (int v = 0; v < CG_NRV; v++) acc[i][v] = __builtin_elementwise_fma(x, bv[v], acc[i][v]); \
  }
    CG_ROWS(CG_FMA_ROW)
#undef CG_FMA_ROW
  }
}

/// acc[i][v] = Σ_k a[k·mr + i] · b[k·NR + v·VL ..< +VL], as one fma chain per lane.
static inline __attribute__((always_inline)) CG_ATTR void CG_FN(micro)(
    const int mode, const int mr, int64_t d, const CG_T *restrict a, const void *b0, const void *b1,
    CG_V acc[CG_MR][CG_NRV]) {
#define CG_ZERO_ROW(i) \
  if (i < mr)          \
    for (int v = 0; v < CG_NRV; v++) acc[i][v] = 0;
  CG_ROWS(CG_ZERO_ROW)
#undef CG_ZERO_ROW
  CG_FN(micro_more)(mode, mr, d, a, mr, b0, b1, acc);
}

/// min(1, max(−1, x)) lane-wise; NaN stays NaN.
static inline __attribute__((always_inline)) CG_ATTR CG_V CG_FN(clampv)(CG_V x) {
  CG_V one = 1, neg = -1;
  x = x > one ? one : x;
  x = x < neg ? neg : x;
  return x;
}

// MARK: Matrix
//
// CG_MICRO_ASM(mr, kc, a, b, c, ldc, flags), when an instantiation defines it, runs a full
// mr × NR block in assembly (flags as in gemm_microkernel_avx512.h) and is nonzero, or is 0 for
// the widths it does not cover.

#ifndef CG_KC
#define CG_KC 256
#endif
// K is cut into slices of CG_KC: a query panel slice then stays in L1 while the corpus panels
// of a block (in L2) pass over it. Partial sums go through C unrounded, so the chains are the
// same as without slicing.

/// Corpus panels per block: the block, all `d` columns of it (each query panel runs every K
/// slice over the block before the next query panel comes), stays in 3/8 of this core's L2
/// (detected at run time), which leaves room for the query panels streaming through and the C
/// tiles. (On a 2 MiB L2, 3/8 measured best over 1/4 and 1/2 at D = 384 and 768; the former
/// fixed size let the block grow to 1.5 MiB at D = 768.)
static inline int64_t CG_FN(gemm_block_panels)(int64_t d) {
  int64_t bytes = (int64_t)CG_NR * d * (int64_t)sizeof(CG_T);
  int64_t p = (int64_t)(ck_l2_cache_bytes() / 8 * 3) / (bytes > 0 ? bytes : 1);
  return p < 1 ? 1 : p;
}

/// Stores rows [0, rows) and columns [0, cols) of a block, clamped to [−1, 1] when `last`.
static inline __attribute__((always_inline)) CG_ATTR void CG_FN(store)(
    const int mr, CG_V acc[CG_MR][CG_NRV], CG_T *cp, int64_t ldc, int rows, int cols, int last) {
  if (cols >= CG_NR) {
#define CG_STORE_ROW(i)                                                           \
  if (i < mr && i < rows)                                                         \
    for (int v = 0; v < CG_NRV; v++)                                              \
      *(CG_VU *)(cp + i * ldc + v * CG_VL) = last ? CG_FN(clampv)(acc[i][v]) : acc[i][v];
    CG_ROWS(CG_STORE_ROW)
#undef CG_STORE_ROW
  } else {
#define CG_STORE_PART(i)                                                                     \
  if (i < mr && i < rows) {                                                                  \
    CG_T tmp[CG_NR];                                                                         \
    for (int v = 0; v < CG_NRV; v++)                                                         \
      *(CG_VU *)(tmp + v * CG_VL) = last ? CG_FN(clampv)(acc[i][v]) : acc[i][v];             \
    for (int j = 0; j < cols; j++) cp[i * ldc + j] = tmp[j];                                 \
  }
    CG_ROWS(CG_STORE_PART)
#undef CG_STORE_PART
  }
}

/// Reloads a partial block stored by `store` (not clamped), to continue its chains.
static inline __attribute__((always_inline)) CG_ATTR void CG_FN(load)(
    const int mr, CG_V acc[CG_MR][CG_NRV], const CG_T *cp, int64_t ldc, int rows, int cols) {
#define CG_LOAD_ROW(i)                                                                   \
  if (i < mr) {                                                                          \
    if (i < rows && cols >= CG_NR) {                                                     \
      for (int v = 0; v < CG_NRV; v++) acc[i][v] = *(const CG_VU *)(cp + i * ldc + v * CG_VL); \
    } else {                                                                             \
      CG_T tmp[CG_NR] = {0};                                                             \
      if (i < rows)                                                                      \
        for (int j = 0; j < cols; j++) tmp[j] = cp[i * ldc + j];                         \
      for (int v = 0; v < CG_NRV; v++) acc[i][v] = *(const CG_VU *)(tmp + v * CG_VL);     \
    }                                                                                    \
  }
  CG_ROWS(CG_LOAD_ROW)
#undef CG_LOAD_ROW
}

static inline __attribute__((always_inline)) CG_ATTR void CG_FN(gemm_mr)(
    const int mr, const CG_T *a, int64_t m, const CG_T *b, int64_t n, int64_t d, CG_T *c,
    int64_t ldc) {
  const int64_t pa = (m + mr - 1) / mr, pb = (n + CG_NR - 1) / CG_NR;
  const int64_t block = CG_FN(gemm_block_panels)(d);
  CG_V acc[CG_MR][CG_NRV];
  for (int64_t jb = 0; jb < pb; jb += block) {
    const int64_t je = jb + block < pb ? jb + block : pb;
    for (int64_t ia = 0; ia < pa; ia++) {
      const CG_T *ap = a + ia * mr * d;
      const int64_t i0 = ia * mr;
      const int rows = (int)(m - i0 < mr ? m - i0 : mr);
      for (int64_t k0 = 0; k0 < d || k0 == 0; k0 += CG_KC) {
        const int64_t kc = d - k0 < CG_KC ? d - k0 : CG_KC;
        const int last = k0 + kc >= d;
        for (int64_t jp = jb; jp < je; jp++) {
          const int64_t j0 = jp * CG_NR;
          const int cols = (int)(n - j0 < CG_NR ? n - j0 : CG_NR);
          CG_T *cp = c + i0 * ldc + j0;
#ifdef CG_MICRO_ASM
          if (rows == mr && cols == CG_NR &&
              CG_MICRO_ASM(mr, kc, ap + k0 * mr, b + jp * CG_NR * d + k0 * CG_NR, cp, ldc,
                           (k0 > 0 ? CG_MK_LOAD : 0) | (last ? CG_MK_CLAMP : 0)))
            continue;
#endif
          if (k0 == 0) {
            CG_FN(micro)(0, mr, kc, ap, b + jp * CG_NR * d, 0, acc);
          } else {
            CG_FN(load)(mr, acc, cp, ldc, rows, cols);
            CG_FN(micro_more)(0, mr, kc, ap + k0 * mr, mr, b + jp * CG_NR * d + k0 * CG_NR, 0, acc);
          }
          CG_FN(store)(mr, acc, cp, ldc, rows, cols, last);
        }
        if (d == 0) break;
      }
    }
  }
}

// MARK: Top-k selection (topk_template.h: heaps and reservoirs; the sort is in topk.c)

#define TK_T CG_T
#define TK_FN(x) CG_TK(x)
#define TK_HEAPS CG_HEAPS
#include "topk_template.h"
#undef TK_T
#undef TK_FN
#undef TK_HEAPS

// MARK: Search

/// Query panels per block: the block stays in L2 while corpus panels stream past it (each
/// corpus panel is read from memory once per block). Blocks are balanced in size.
static inline int64_t CG_FN(search_block_panels)(int mr, int64_t d, int64_t panels) {
  int64_t bytes = (int64_t)mr * d * (int64_t)sizeof(CG_T);
  int64_t most = (int64_t)(512 * 1024) / (bytes > 0 ? bytes : 1);
  if (most < 1) most = 1;
  const int64_t blocks = (panels + most - 1) / most;
  return blocks > 0 ? (panels + blocks - 1) / blocks : 1;
}

/// Offers rows [first_row, first_row + rows) of the corpus to the heaps (see ck_search_f32).
/// `mode` and `b0`, `b1` describe the corpus as in `load_b` (modes 0 and 1: exact scores).
static inline __attribute__((always_inline)) CG_ATTR void CG_FN(search_mr)(
    const int mode, const int mr, const CG_T *a, int64_t m, const void *b0, const void *b1,
    int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset, CG_HEAPS h,
    CG_T *thr) {
  const int64_t k = h.k;
  const int64_t pa = (m + mr - 1) / mr;
  const int64_t jp0 = first_row / CG_NR;
  int64_t end = first_row + rows;
  if (end > n_valid) end = n_valid;
  if (end <= first_row) return;
  const int64_t jp1 = (end + CG_NR - 1) / CG_NR;
  const int64_t block = CG_FN(search_block_panels)(mr, d, pa);
  CG_V acc[CG_MR][CG_NRV];
  for (int64_t qb = 0; qb < pa; qb += block) {
    const int64_t qe = qb + block < pa ? qb + block : pa;
    for (int64_t jp = jp0; jp < jp1; jp++) {
      const int64_t off = jp * CG_NR * d;
      const void *p0 = mode == 0 ? (const void *)((const CG_T *)b0 + off) : (const void *)((const uint16_t *)b0 + off);
      const void *p1 = mode == 0 ? 0 : (const void *)((const uint16_t *)b1 + off);
      const int64_t j0 = jp * CG_NR;
      const int64_t lanes = end - j0 < CG_NR ? end - j0 : CG_NR;
      for (int64_t ia = qb; ia < qe; ia++) {
        CG_FN(micro)(mode, mr, d, a + ia * mr * d, p0, p1, acc);
        const int64_t q0 = ia * mr;
        const int qrows = (int)(m - q0 < mr ? m - q0 : mr);
        for (int i = 0; i < mr; i++) {
          if (i >= qrows) break;
          const int64_t q = q0 + i;
          const CG_V t = thr[q];
          int any = 0;
          // Accept what is not ≤ the threshold: larger scores, and everything when it is NaN.
          for (int v = 0; v < CG_NRV; v++) any |= __builtin_reduce_or(~(acc[i][v] <= t));
          if (!any) continue;
          CG_T tmp[CG_NR];
          for (int v = 0; v < CG_NRV; v++) *(CG_VU *)(tmp + v * CG_VL) = acc[i][v];
          CG_T *hs = h.scores + q * h.capacity;
          int64_t *hi = h.ids + q * h.capacity;
          CG_T tq = thr[q];
          for (int64_t j = 0; j < lanes; j++) {
            CG_T s = tmp[j];
            if (s <= tq) continue;
            s = s > 1 ? 1 : (s < -1 ? -1 : s);
            tq = CG_TK(offer_candidate)(hs, hi, h.sizes + q, k, h.capacity, s, j0 + j + id_offset, tq);
          }
          thr[q] = tq;
        }
      }
    }
  }
}

#define CG_CASES(X) \
  X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16)

CG_ATTR void CG_FN(ck_gemm)(const CG_T *a, int64_t m, int64_t aw, const CG_T *b, int64_t n,
                                int64_t d, CG_T *c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  switch (aw) {
#define CG_GEMM_CASE(R) \
  case R:               \
    if (R <= CG_MR) CG_FN(gemm_mr)(R <= CG_MR ? R : 1, a, m, b, n, d, c, ldc); \
    break;
    CG_CASES(CG_GEMM_CASE)
#undef CG_GEMM_CASE
    default: break;
  }
}

CG_ATTR int CG_FN(ck_search)(const CG_T *a, int64_t m, int64_t aw, const CG_T *b,
                                  int64_t first_row, int64_t rows, int64_t n_valid, int64_t d,
                                  int64_t id_offset, CG_HEAPS h) {
  if (m <= 0 || h.k <= 0 || rows <= 0) return CK_OK;
  CG_T *thr = (CG_T *)malloc((size_t)m * sizeof(CG_T));
  if (!thr) return CK_ERROR_ALLOCATION;
  for (int64_t q = 0; q < m; q++)
    thr[q] = CG_TK(threshold)(h.scores + q * h.capacity, h.sizes[q], h.k, h.capacity);
  switch (aw) {
#define CG_SEARCH_CASE(R)                                                                        \
  case R:                                                                                        \
    if (R <= CG_MR)                                                                              \
      CG_FN(search_mr)(0, R <= CG_MR ? R : 1, a, m, b, 0, first_row, rows, n_valid, d, id_offset, \
                       h, thr);                                                                  \
    break;
    CG_CASES(CG_SEARCH_CASE)
#undef CG_SEARCH_CASE
    default: break;
  }
  free(thr);
  return CK_OK;
}

#ifdef CG_SPLIT_LOAD
// MARK: Split panels (float only)
#include "gemm_split_template.h"
#endif

#include "gemm_accumulate_template.h"

#undef CG_NR
#undef CG_ROWS
#undef CG_V
#undef CG_VU
