// The gradient GEMM of the streaming losses for one element type and one instruction set.
//
// Included by loss_gemm.c with LG_T (element type), LG_VL (lanes per vector), LG_ATTR (target
// attributes) and LG_FN(x) (name suffix) defined. A block of LG_MR rows × LG_NV vectors of C is
// held in registers; per p it loads LG_NV vectors of row p of B and broadcasts A(i, p).

#define LG_MR 6
#define LG_NV 4
#define LG_NB (LG_VL * LG_NV)
#define LG_KC 256
#define LG_MC 144
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
    for (int v = 0; v < LG_NV; v++) acc[i][v] = i < mr ? *(const LG_VU *)(c + i * ldc + v * LG_VL) : 0;
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
        *(LG_VU *)(c + i * ldc + v * LG_VL) = acc[i][v];
      }
    }
  }
}

LG_ATTR void LG_FN(cg_loss_gemm)(int64_t m, int64_t n, int64_t k, const LG_T *a, int64_t a_rs,
                                 int64_t a_cs, const LG_T *b, int64_t ldb, LG_T *c, int64_t ldc) {
  const int64_t nfull = n / LG_NB * LG_NB;
  const int64_t kc_max = k < LG_KC ? k : LG_KC;
  // As BLIS does: K is cut into slices of LG_KC; per slice the full column blocks of B are
  // packed once into contiguous LG_KC × LG_NB panels (read sequentially, one stays in L1 while
  // the row blocks pass over it), and A is packed in chunks of LG_MC rows into micro-panels of
  // LG_MR rows, zero padded (a chunk stays in L2 while every panel of B passes over it). The
  // accumulators start from C, so each element's chain continues across slices.
  LG_T *pack = nfull > 0 && k > 0 ? (LG_T *)malloc((size_t)(LG_MC * kc_max) * sizeof(LG_T)) : 0;
  LG_T *bpack = pack ? (LG_T *)malloc((size_t)(nfull * kc_max) * sizeof(LG_T)) : 0;
  const int packed = pack != 0 && bpack != 0;
  if (packed) {
    for (int64_t k0 = 0; k0 < k; k0 += LG_KC) {
      const int64_t kc = k - k0 < LG_KC ? k - k0 : LG_KC;
      for (int64_t j = 0; j < nfull; j += LG_NB) {
        LG_T *dst = bpack + j * kc;
        for (int64_t p = 0; p < kc; p++) {
          const LG_T *src = b + (k0 + p) * ldb + j;
          for (int v = 0; v < LG_NV; v++)
            *(LG_VU *)(dst + p * LG_NB + v * LG_VL) = *(const LG_VU *)(src + v * LG_VL);
        }
      }
      for (int64_t i0 = 0; i0 < m; i0 += LG_MC) {
        const int64_t mc = m - i0 < LG_MC ? m - i0 : LG_MC;
        const int64_t blocks = (mc + LG_MR - 1) / LG_MR;
        for (int64_t ib = 0; ib < blocks; ib++) {
          LG_T *dst = pack + ib * LG_MR * kc;
          if (a_cs == 1) {
            for (int i = 0; i < LG_MR; i++) {
              const int64_t row = ib * LG_MR + i;
              if (row < mc) {
                const LG_T *src = a + (i0 + row) * a_rs + k0;
                for (int64_t p = 0; p < kc; p++) dst[p * LG_MR + i] = src[p];
              } else {
                for (int64_t p = 0; p < kc; p++) dst[p * LG_MR + i] = 0;
              }
            }
          } else {
            for (int64_t p = 0; p < kc; p++) {
              const LG_T *src = a + (i0 + ib * LG_MR) * a_rs + (k0 + p) * a_cs;
              for (int i = 0; i < LG_MR; i++) dst[p * LG_MR + i] = ib * LG_MR + i < mc ? src[i * a_rs] : 0;
            }
          }
        }
        for (int64_t j = 0; j < nfull; j += LG_NB) {
          const LG_T *bp = bpack + j * kc;
          for (int64_t ib = 0; ib < blocks; ib++) {
            const int64_t i = i0 + ib * LG_MR;
            const LG_T *ap = pack + ib * LG_MR * kc;
            LG_T *cp = c + i * ldc + j;
            switch (m - i < LG_MR ? m - i : LG_MR) {
              case 6: LG_FN(lg_block)(6, kc, ap, bp, LG_NB, cp, ldc); break;
              case 5: LG_FN(lg_block)(5, kc, ap, bp, LG_NB, cp, ldc); break;
              case 4: LG_FN(lg_block)(4, kc, ap, bp, LG_NB, cp, ldc); break;
              case 3: LG_FN(lg_block)(3, kc, ap, bp, LG_NB, cp, ldc); break;
              case 2: LG_FN(lg_block)(2, kc, ap, bp, LG_NB, cp, ldc); break;
              case 1: LG_FN(lg_block)(1, kc, ap, bp, LG_NB, cp, ldc); break;
              default: break;
            }
          }
        }
      }
    }
  }
  free(pack);
  free(bpack);
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
#undef LG_KC
#undef LG_MC
#undef LG_V
#undef LG_VU
