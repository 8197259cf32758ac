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

static inline __attribute__((always_inline)) LG_ATTR void LG_FN(lg_block)(
    const int mr, int64_t k, const LG_T *restrict a, int64_t a_rs, int64_t a_cs,
    const LG_T *restrict b, int64_t ldb, LG_T *restrict c, int64_t ldc) {
  LG_V acc[LG_MR][LG_NV];
  for (int i = 0; i < LG_MR; i++)
    for (int v = 0; v < LG_NV; v++) acc[i][v] = 0;
  for (int64_t p = 0; p < k; p++) {
    LG_V bv[LG_NV];
    const LG_T *bp = b + p * ldb;
    for (int v = 0; v < LG_NV; v++) bv[v] = *(const LG_VU *)(bp + v * LG_VL);
    const LG_T *ap = a + p * a_cs;
    for (int i = 0; i < LG_MR; i++) {
      if (i < mr) {
        const LG_V x = ap[i * a_rs];
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
  for (int64_t j = 0; j < nfull; j += LG_NB) {
    int64_t i = 0;
    for (; i + LG_MR <= m; i += LG_MR)
      LG_FN(lg_block)(LG_MR, k, a + i * a_rs, a_rs, a_cs, b + j, ldb, c + i * ldc + j, ldc);
    switch (m - i) {
      case 5: LG_FN(lg_block)(5, k, a + i * a_rs, a_rs, a_cs, b + j, ldb, c + i * ldc + j, ldc); break;
      case 4: LG_FN(lg_block)(4, k, a + i * a_rs, a_rs, a_cs, b + j, ldb, c + i * ldc + j, ldc); break;
      case 3: LG_FN(lg_block)(3, k, a + i * a_rs, a_rs, a_cs, b + j, ldb, c + i * ldc + j, ldc); break;
      case 2: LG_FN(lg_block)(2, k, a + i * a_rs, a_rs, a_cs, b + j, ldb, c + i * ldc + j, ldc); break;
      case 1: LG_FN(lg_block)(1, k, a + i * a_rs, a_rs, a_cs, b + j, ldb, c + i * ldc + j, ldc); break;
      default: break;
    }
  }
  // Columns past the last full block: one scalar chain per element, in the same order.
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j = nfull; j < n; j++) {
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
