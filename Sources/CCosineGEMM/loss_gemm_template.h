// The gradient GEMM of the streaming losses for one element type and one instruction set.
//
// Included by loss_gemm.c with LG_T (element type), LG_VL (lanes per vector), LG_ATTR (target
// attributes) and LG_FN(x) (name suffix) defined. A block of LG_MR rows × LG_NV vectors of C is
// held in registers; per p it loads LG_NV vectors of row p of B and broadcasts A(i, p).

#define LG_MR 6
#define LG_NV 4
#define LG_NB (LG_VL * LG_NV)
#define LG_V LG_FN(lgvec)
#define LG_VU LG_FN(lgvecu)
typedef LG_T LG_V __attribute__((ext_vector_type(LG_VL)));
typedef LG_T LG_VU __attribute__((ext_vector_type(LG_VL), aligned(sizeof(LG_T))));

/// One LG_MR × LG_NB block: `a` is a packed micro-panel (`a[p·LG_MR + i]` = A(i, p)).
static inline __attribute__((always_inline)) LG_ATTR void LG_FN(lg_block)(
    const int mr, int64_t k, const LG_T *restrict a, const LG_T *restrict b, int64_t ldb,
    LG_T *restrict c, int64_t ldc) {
  LG_V acc[LG_MR][LG_NV];
  for (int i = 0; i < LG_MR; i++)
    for (int v = 0; v < LG_NV; v++) acc[i][v] = 0;
  for (int64_t p = 0; p < k; p++) {
    LG_V bv[LG_NV];
    const LG_T *bp = b + p * ldb;
    for (int v = 0; v < LG_NV; v++) bv[v] = *(const LG_VU *)(bp + v * LG_VL);
    const LG_T *ap = a + p * LG_MR;
    for (int i = 0; i < LG_MR; i++) {
      if (i < mr) {
        const LG_V x = ap[i];
        for (int v = 0; v < LG_NV; v++) acc[i][v] = __builtin_elementwise_fma(x, bv[v], acc[i][v]);
      }
    }
  }
  for (int i = 0; i < LG_MR; i++) {
    if (i < mr) {
      for (int v = 0; v < LG_NV; v++) {
        LG_VU *cp = (LG_VU *)(c + i * ldc + v * LG_VL);
        *cp = *cp + acc[i][v];
      }
    }
  }
}

LG_ATTR void LG_FN(cg_loss_gemm)(int64_t m, int64_t n, int64_t k, const LG_T *a, int64_t a_rs,
                                 int64_t a_cs, const LG_T *b, int64_t ldb, LG_T *c, int64_t ldc) {
  const int64_t nfull = n / LG_NB * LG_NB;
  const int64_t blocks = (m + LG_MR - 1) / LG_MR;
  // A is packed once into micro-panels of LG_MR rows (zero padded): the micro-kernel then
  // reads it sequentially while a column panel of B stays in L2 across all row blocks.
  LG_T *pack = nfull > 0 && k > 0 ? (LG_T *)malloc((size_t)(blocks * LG_MR * k) * sizeof(LG_T)) : 0;
  const int packed = pack != 0;
  if (packed) {
    for (int64_t ib = 0; ib < blocks; ib++) {
      LG_T *dst = pack + ib * LG_MR * k;
      for (int64_t p = 0; p < k; p++)
        for (int i = 0; i < LG_MR; i++) {
          const int64_t row = ib * LG_MR + i;
          dst[p * LG_MR + i] = row < m ? a[row * a_rs + p * a_cs] : 0;
        }
    }
    for (int64_t j = 0; j < nfull; j += LG_NB) {
      for (int64_t ib = 0; ib < blocks; ib++) {
        const int64_t i = ib * LG_MR;
        const LG_T *ap = pack + ib * LG_MR * k;
        switch (m - i < LG_MR ? m - i : LG_MR) {
          case 6: LG_FN(lg_block)(6, k, ap, b + j, ldb, c + i * ldc + j, ldc); break;
          case 5: LG_FN(lg_block)(5, k, ap, b + j, ldb, c + i * ldc + j, ldc); break;
          case 4: LG_FN(lg_block)(4, k, ap, b + j, ldb, c + i * ldc + j, ldc); break;
          case 3: LG_FN(lg_block)(3, k, ap, b + j, ldb, c + i * ldc + j, ldc); break;
          case 2: LG_FN(lg_block)(2, k, ap, b + j, ldb, c + i * ldc + j, ldc); break;
          case 1: LG_FN(lg_block)(1, k, ap, b + j, ldb, c + i * ldc + j, ldc); break;
          default: break;
        }
      }
    }
    free(pack);
  }
  // Columns past the last full block (all columns if the packing buffer was not available):
  // one scalar chain per element, in the same order.
  const int64_t j0 = packed ? nfull : 0;
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j = j0; j < n; j++) {
      LG_T s = 0;
      for (int64_t p = 0; p < k; p++) s = __builtin_elementwise_fma(a[i * a_rs + p * a_cs], b[p * ldb + j], s);
      c[i * ldc + j] += s;
    }
  }
}

#undef LG_MR
#undef LG_NV
#undef LG_NB
#undef LG_V
#undef LG_VU
