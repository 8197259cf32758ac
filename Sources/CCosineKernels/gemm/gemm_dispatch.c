// Dispatch of the packed GEMM and search kernels (gemm_template.h, instantiated per instruction
// set in kernels_*.c).
//
// The kernel follows the data: a panel width only one family produces selects that family (the
// CPU had it when the data was packed); width 16 / 8 runs on AVX2 when the calling thread's
// kernel level allows it (ck_level). A panel width no kernel of this CPU reads, or a query
// width outside 1 ... 16, is reported (CK_ERROR_PANEL_WIDTH) before anything is written.
#include "internal.h"

int64_t ck_panel_width_f32(void) { return ck_level() == 2 ? 32 : 16; }
int64_t ck_panel_width_f64(void) { return ck_level() == 2 ? 16 : 8; }

int64_t ck_query_width_f32(int64_t bw) { return bw == 32 ? 14 : (ck_level() >= 1 ? 6 : 4); }
int64_t ck_query_width_f64(int64_t bw) { return bw == 16 ? 14 : (ck_level() >= 1 ? 6 : 4); }

/// The kernel family that reads corpus panels of width `bw` (`wide` is the AVX-512 width,
/// `wide / 2` the AVX2 and portable one) from queries of width `aw`: 2 AVX-512, 1 AVX2,
/// 0 portable, −1 none.
static int family(int64_t aw, int64_t bw, int64_t wide) {
  if (aw < 1 || aw > 16) return -1;
#if CK_X86
  if (bw == wide) return ck_cpu_level() == 2 ? 2 : -1;
  if (bw == wide / 2) return ck_level() >= 1 ? 1 : 0;
#else
  if (bw == wide / 2) return 0;
#endif
  return -1;
}

int ck_gemm_f32(const float *a, int64_t m, int64_t aw, const float *b, int64_t bw, int64_t n,
                int64_t d, float *c, int64_t ldc) {
  switch (family(aw, bw, 32)) {
#if CK_X86
    case 2: ck_gemm_f32_avx512(a, m, aw, b, n, d, c, ldc); return CK_OK;
    case 1: ck_gemm_f32_avx2(a, m, aw, b, n, d, c, ldc); return CK_OK;
#endif
    case 0: ck_gemm_f32_portable(a, m, aw, b, n, d, c, ldc); return CK_OK;
    default: return CK_ERROR_PANEL_WIDTH;
  }
}

int ck_gemm_f64(const double *a, int64_t m, int64_t aw, const double *b, int64_t bw, int64_t n,
                int64_t d, double *c, int64_t ldc) {
  switch (family(aw, bw, 16)) {
#if CK_X86
    case 2: ck_gemm_f64_avx512(a, m, aw, b, n, d, c, ldc); return CK_OK;
    case 1: ck_gemm_f64_avx2(a, m, aw, b, n, d, c, ldc); return CK_OK;
#endif
    case 0: ck_gemm_f64_portable(a, m, aw, b, n, d, c, ldc); return CK_OK;
    default: return CK_ERROR_PANEL_WIDTH;
  }
}

int ck_search_f32(const float *a, int64_t m, int64_t aw, const float *b, int64_t bw, int64_t first_row,
                  int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset, ck_heaps_f32 h) {
  switch (family(aw, bw, 32)) {
#if CK_X86
    case 2: return ck_search_f32_avx512(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
    case 1: return ck_search_f32_avx2(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
#endif
    case 0: return ck_search_f32_portable(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
    default: return CK_ERROR_PANEL_WIDTH;
  }
}

int ck_search_f64(const double *a, int64_t m, int64_t aw, const double *b, int64_t bw, int64_t first_row,
                  int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset, ck_heaps_f64 h) {
  switch (family(aw, bw, 16)) {
#if CK_X86
    case 2: return ck_search_f64_avx512(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
    case 1: return ck_search_f64_avx2(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
#endif
    case 0: return ck_search_f64_portable(a, m, aw, b, first_row, rows, n_valid, d, id_offset, h);
    default: return CK_ERROR_PANEL_WIDTH;
  }
}

int ck_search_split_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi, const uint16_t *lo,
                        int64_t bw, int64_t first_row, int64_t rows, int64_t n_valid, int64_t d,
                        ck_heaps_f32 h) {
  return ck_search_split_ids_f32(a, m, aw, hi, lo, bw, first_row, rows, n_valid, d, 0, h);
}

int ck_search_split_ids_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi, const uint16_t *lo,
                            int64_t bw, int64_t first_row, int64_t rows, int64_t n_valid, int64_t d,
                            int64_t id_offset, ck_heaps_f32 h) {
  switch (family(aw, bw, 32)) {
#if CK_X86
    case 2: return ck_search_split_f32_avx512(a, m, aw, hi, lo, first_row, rows, n_valid, d, id_offset, h);
    case 1: return ck_search_split_f32_avx2(a, m, aw, hi, lo, first_row, rows, n_valid, d, id_offset, h);
#endif
    case 0: return ck_search_split_f32_portable(a, m, aw, hi, lo, first_row, rows, n_valid, d, id_offset, h);
    default: return CK_ERROR_PANEL_WIDTH;
  }
}

int64_t ck_prefilter_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi, int64_t bw,
                         int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, float slack,
                         ck_heaps_f32 h, int64_t *flagged, float *flagged_max) {
  switch (family(aw, bw, 32)) {
#if CK_X86
    case 2:
      return ck_prefilter_f32_avx512(a, m, aw, hi, first_row, rows, n_valid, d, slack, h, flagged, flagged_max);
    case 1:
      return ck_prefilter_f32_avx2(a, m, aw, hi, first_row, rows, n_valid, d, slack, h, flagged, flagged_max);
#endif
    case 0:
      return ck_prefilter_f32_portable(a, m, aw, hi, first_row, rows, n_valid, d, slack, h, flagged, flagged_max);
    default: return -CK_ERROR_PANEL_WIDTH;
  }
}
