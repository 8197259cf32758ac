// C += A·B on the packed micro-kernel, for one element type and one instruction set: the
// gradient products of the streamed losses (G·Ĉ and Gᵀ·Q̂ of a score tile).
//
// Included by gemm_template.h (it uses that file's macros, `micro_more`, `load` and `store`).
// Both operands are packed per slice of CG_ACC_KC along the reduction: B (row-major, ldb) into
// corpus panels of width NR, which stay in L2 while every row panel passes over them, and the
// rows of A (any strides) into one query panel of width mr, which stays in L1 while the corpus
// panels stream past it. Each block of C is loaded, its chains continued over the slice in
// registers, and stored unrounded, so every element of C is one chain of fused multiply-adds
// over p, continued from its old value, whatever the blocking.

#ifndef CG_ACC_KC
#define CG_ACC_KC 256
#endif

/// Packs B[k0 + p][j] for p < kc, j < n into ceil(n / NR) corpus panels (zero past column n):
/// dst[jp·kc·NR + p·NR + lane] = B[k0 + p][jp·NR + lane].
static CG_ATTR void CG_FN(acc_pack_b)(const CG_T *b, int64_t ldb, int64_t n, int64_t k0, int64_t kc,
                                      CG_T *restrict dst) {
  const int64_t full = n / CG_NR;
  for (int64_t jp = 0; jp < full; jp++) {
    CG_T *d = dst + jp * kc * CG_NR;
    const CG_T *s = b + k0 * ldb + jp * CG_NR;
    for (int64_t p = 0; p < kc; p++)
      for (int v = 0; v < CG_NRV; v++) *(CG_VU *)(d + p * CG_NR + v * CG_VL) = *(const CG_VU *)(s + p * ldb + v * CG_VL);
  }
  if (full * CG_NR < n) {
    const int64_t j0 = full * CG_NR, cols = n - j0;
    CG_T *d = dst + full * kc * CG_NR;
    for (int64_t p = 0; p < kc; p++) {
      const CG_T *s = b + (k0 + p) * ldb + j0;
      for (int64_t j = 0; j < CG_NR; j++) d[p * CG_NR + j] = j < cols ? s[j] : 0;
    }
  }
}

/// Packs A(i0 + i, k0 + p) = a[(i0 + i)·rs + (k0 + p)·cs] for i < mr, p < kc into one query
/// panel, dst[p·mr + i], zero for i ≥ rows.
static inline __attribute__((always_inline)) CG_ATTR void CG_FN(acc_pack_a)(
    const int mr, const CG_T *a, int64_t rs, int64_t cs, int64_t i0, int rows, int64_t k0, int64_t kc,
    CG_T *restrict dst) {
  if (rs == 1) {
    // Columns of A are contiguous (Aᵀ stored row-major): mr consecutive values per p.
    const CG_T *s = a + i0 + k0 * cs;
    if (rows == mr) {
      for (int64_t p = 0; p < kc; p++)
        for (int i = 0; i < mr; i++) dst[p * mr + i] = s[p * cs + i];
    } else {
      for (int64_t p = 0; p < kc; p++)
        for (int i = 0; i < mr; i++) dst[p * mr + i] = i < rows ? s[p * cs + i] : 0;
    }
    return;
  }
  // Rows of A are contiguous when cs == 1: a transposition, in blocks of CG_ACC_TB columns.
#ifdef CG_ACC_TRANSPOSE
  if (cs == 1 && rows == mr) {
    int64_t p = 0;
    for (; p + CG_ACC_TB <= kc; p += CG_ACC_TB) CG_ACC_TRANSPOSE(mr, a + i0 * rs + k0 + p, rs, dst + p * mr);
    for (; p < kc; p++)
      for (int i = 0; i < mr; i++) dst[p * mr + i] = a[(i0 + i) * rs + k0 + p];
    return;
  }
#endif
  for (int i = 0; i < mr; i++) {
    if (i < rows) {
      const CG_T *s = a + (i0 + i) * rs + k0 * cs;
      // Plain strided stores: vectorized, this loop becomes scatters, which cost more than the
      // whole product on some CPUs (AMD Zen 4).
#pragma clang loop vectorize(disable) interleave(disable)
      for (int64_t p = 0; p < kc; p++) dst[p * mr + i] = s[p * cs];
    } else {
      for (int64_t p = 0; p < kc; p++) dst[p * mr + i] = 0;
    }
  }
}

static inline __attribute__((always_inline)) CG_ATTR void CG_FN(acc_mr)(
    const int mr, int64_t m, int64_t n, int64_t k, const CG_T *a, int64_t rs, int64_t cs, const CG_T *b,
    int64_t ldb, CG_T *c, int64_t ldc, CG_T *restrict apack, CG_T *restrict bpack, int fresh) {
  const int64_t pa = (m + mr - 1) / mr, pb = (n + CG_NR - 1) / CG_NR;
  CG_V acc[CG_MR][CG_NRV];
  for (int64_t k0 = 0; k0 < k; k0 += CG_ACC_KC) {
    const int64_t kc = k - k0 < CG_ACC_KC ? k - k0 : CG_ACC_KC;
    // The chains start from 0 rather than from C in the first slice of a fresh product.
    const int start = fresh && k0 == 0;
    CG_FN(acc_pack_b)(b, ldb, n, k0, kc, bpack);
    for (int64_t ia = 0; ia < pa; ia++) {
      const int64_t i0 = ia * mr;
      const int rows = (int)(m - i0 < mr ? m - i0 : mr);
      CG_FN(acc_pack_a)(mr, a, rs, cs, i0, rows, k0, kc, apack);
      for (int64_t jp = 0; jp < pb; jp++) {
        const int64_t j0 = jp * CG_NR;
        const int cols = (int)(n - j0 < CG_NR ? n - j0 : CG_NR);
        CG_T *cp = c + i0 * ldc + j0;
#ifdef CG_MICRO_ASM
        if (rows == mr && cols == CG_NR &&
            CG_MICRO_ASM(mr, kc, apack, bpack + jp * kc * CG_NR, cp, ldc, start ? 0 : CG_MK_LOAD))
          continue;
#endif
        if (start) {
          for (int i = 0; i < mr; i++)
            for (int v = 0; v < CG_NRV; v++) acc[i][v] = (CG_V){0};
        } else {
          CG_FN(load)(mr, acc, cp, ldc, rows, cols);
        }
        CG_FN(micro_more)(0, mr, kc, apack, mr, bpack + jp * kc * CG_NR, 0, acc);
        CG_FN(store)(mr, acc, cp, ldc, rows, cols, 0);
      }
    }
  }
}

/// C[i][j] += Σ_p A(i, p)·B[p][j] (see ck_loss_gemm_f32), or C[i][j] = Σ_p A(i, p)·B[p][j]
/// when `fresh` (C's old values never read: see ck_matmul_f32), with query panels of width `mr`
/// (1 ≤ mr ≤ CG_MR). Returns 0, or −1 (C untouched) when `mr` is out of range or the packing
/// buffers cannot be allocated.
CG_ATTR int CG_FN(ck_gemm_acc)(int64_t m, int64_t n, int64_t k, const CG_T *a, int64_t rs, int64_t cs,
                               const CG_T *b, int64_t ldb, CG_T *c, int64_t ldc, int64_t mr, int fresh) {
  if (mr < 1 || mr > CG_MR) return -1;
  if (m <= 0 || n <= 0) return 0;
  if (k <= 0) {
    if (fresh)
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) c[i * ldc + j] = 0;
    return 0;
  }
  const int64_t kc = k < CG_ACC_KC ? k : CG_ACC_KC;
  const int64_t pb = (n + CG_NR - 1) / CG_NR;
  CG_T *apack = (CG_T *)aligned_alloc(64, ((size_t)(mr * kc) * sizeof(CG_T) + 63) / 64 * 64);
  CG_T *bpack = (CG_T *)aligned_alloc(64, ((size_t)(pb * CG_NR * kc) * sizeof(CG_T) + 63) / 64 * 64);
  if (!apack || !bpack) {
    free(apack);
    free(bpack);
    return -1;
  }
  switch (mr) {
#define CG_ACC_CASE(R) \
  case R:              \
    if (R <= CG_MR) CG_FN(acc_mr)(R <= CG_MR ? R : 1, m, n, k, a, rs, cs, b, ldb, c, ldc, apack, bpack, (int)fresh); \
    break;
    CG_CASES(CG_ACC_CASE)
#undef CG_ACC_CASE
    default: break;
  }
  free(apack);
  free(bpack);
  return 0;
}
