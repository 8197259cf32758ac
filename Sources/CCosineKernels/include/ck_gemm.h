#ifndef CK_GEMM_H
#define CK_GEMM_H
#include <stddef.h>
#include <stdint.h>

// Dense kernels for all-pairs inner products of row vectors, C = A·Bᵀ, and for exact top-k
// search over them. Both operands are "rows are vectors" ([M, D] and [N, D], row-major).
//
// Operands are first packed into panels: a panel of width w holds w consecutive rows
// transposed, `panel[k * w + r] = row[r][k]`, for k in 0..<D; rows past the end are zero.
// Packing also normalizes: every element is multiplied by its row's factors.
//
// Every score is the same sequential chain of fused multiply-adds over k = 0..<D, whatever
// the kernel (matrix, search, one query): a pair of rows gets bitwise the same score on every
// path, so search results equal a brute-force ranking of the matrix.
//
// The kernels dispatch at run time (per-function target attributes): the panel width of the data
// selects the family (32 floats / 16 doubles: AVX-512), and narrower panels run with AVX2 or
// portable C by the calling thread's kernel level (ck_cpu.h). Every level computes bitwise the
// same results. Functions returning `int` return a ck_status.h code: CK_OK, or
// CK_ERROR_PANEL_WIDTH (a width this CPU has no kernel for; nothing written) or
// CK_ERROR_ALLOCATION (scratch memory; the heaps are then partly updated).

#ifdef __cplusplus
extern "C" {
#endif

/// Panel width of the corpus side (columns of C) for new data: 32 floats / 16 doubles at kernel
/// level 2 (AVX-512) on the calling thread, 16 / 8 otherwise.
int64_t ck_panel_width_f32(void);
int64_t ck_panel_width_f64(void);

/// Query panel width (rows of C held in registers) that suits corpus panels of width `bw`.
/// Every kernel accepts any width from 1 to 16.
int64_t ck_query_width_f32(int64_t bw);
int64_t ck_query_width_f64(int64_t bw);

/// Per row, Σ x² accumulated in double: `out[r] = Σ_k x[r·d + k]²`.
void ck_sumsq_f32(const float *x, int64_t rows, int64_t d, double *out);
void ck_sumsq_f64(const double *x, int64_t rows, int64_t d, double *out);
void ck_sumsq_f16(const uint16_t *x, int64_t rows, int64_t d, double *out);

/// Packs `rows` rows of `x` (row-major, `d` columns) into panels of width `w`, after the
/// first row of panel 0. Element (r, k) becomes `(x[r][k] · pre[r]) · post[r]` evaluated in
/// double and rounded once to the destination type (`pre` may be NULL: factor 1). The
/// destination holds ceil(rows / w) · w · d elements; padding rows are zero.
void ck_pack_f32(const float *x, int64_t rows, int64_t d, const double *pre, const double *post,
                 int64_t w, float *dest);
void ck_pack_f16(const uint16_t *x, int64_t rows, int64_t d, const double *pre, const double *post,
                 int64_t w, float *dest);
void ck_pack_f64(const double *x, int64_t rows, int64_t d, const double *pre, const double *post,
                 int64_t w, double *dest);

/// Packs rows `rows[0..<n]` of the row-major matrix `x` (`d` columns, already normalized) into
/// ceil(n / w) panels of width `w` (1 ≤ w ≤ 16, a query width) at `dest`
/// (`panel[k * w + r] = x[rows[r]][k]`, padding lanes zero), with no scaling: the query panels
/// of a subset of packed queries.
void ck_gather_panels_f32(const float *x, int64_t d, const int32_t *rows, int64_t n, int64_t w, float *dest);

/// C[i][j] = clamp(Σ_k A[i][k]·B[j][k], −1, 1) for i < m, j < n (NaN stays NaN).
///
/// `a` holds ceil(m / aw) query panels of width `aw` (1 ≤ aw ≤ 16); `b` holds ceil(n / bw)
/// corpus panels of width `bw` (a value `ck_panel_width_*` returned). `c` is row-major with row
/// stride `ldc`. Returns CK_OK or CK_ERROR_PANEL_WIDTH.
int ck_gemm_f32(const float *a, int64_t m, int64_t aw, const float *b, int64_t bw, int64_t n,
                 int64_t d, float *c, int64_t ldc);
int ck_gemm_f64(const double *a, int64_t m, int64_t aw, const double *b, int64_t bw, int64_t n,
                int64_t d, double *c, int64_t ldc);

/// The best-k state of `q` queries: query i owns slots `scores[i·capacity ..< (i+1)·capacity]`
/// and `ids[…]`, of which `sizes[i]` are filled. With `capacity == k` the slots are a bounded
/// heap whose root is its worst entry; with `capacity >= 2·k` they are a reservoir that keeps
/// the best k by quickselect when it fills (better for large k). `ck_sort_heaps_*` puts the
/// best min(k, size) first, in order. Order: higher score first, equal scores by lower id, NaN
/// after every number.
typedef struct {
  float *scores;
  int64_t *ids;
  int64_t *sizes;
  int64_t k;
  int64_t capacity;
} ck_heaps_f32;

typedef struct {
  double *scores;
  int64_t *ids;
  int64_t *sizes;
  int64_t k;
  int64_t capacity;
} ck_heaps_f64;

/// Offers corpus rows [first_row, first_row + rows) to the heaps of `m` packed queries.
///
/// `a` holds the queries in panels of width `aw`; `b` is the first corpus panel (of width `bw`);
/// `first_row` must be a multiple of `bw`; `n_valid` caps the rows (padding rows of the last
/// panel are skipped). Row ids are `first_row + id_offset + lane`. Rows must
/// be offered to a query in increasing id order (equal scores then keep the lower id). Each
/// score is clamped to [−1, 1] and compared with the query's threshold (its k-th best so far)
/// before any heap work. Returns CK_OK, CK_ERROR_PANEL_WIDTH or CK_ERROR_ALLOCATION.
int ck_search_f32(const float *a, int64_t m, int64_t aw, const float *b, int64_t bw,
                  int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset,
                  ck_heaps_f32 heaps);
int ck_search_f64(const double *a, int64_t m, int64_t aw, const double *b, int64_t bw,
                  int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, int64_t id_offset,
                  ck_heaps_f64 heaps);

// MARK: Split panels
//
// A float corpus can be stored as split panels: the high and the low 16 bits of every packed
// float in two arrays of the panel layout (lanes permuted within each panel row so that
// unpacking rebuilds the floats in row order; see ck_split_panels_f32). The exact kernels
// rebuild each float bit for bit, so scores are those of plain panels; the high halves alone
// are the values truncated to bfloat16, half the bytes, for a prefilter pass when a search is
// bound by memory bandwidth.

/// Splits `npanels` packed float panels of width `w` (32 or 16) into `hi` and `lo`.
void ck_split_panels_f32(const float *panels, int64_t npanels, int64_t d, int64_t w, uint16_t *hi,
                         uint16_t *lo);

/// The inverse of ck_split_panels_f32: rebuilds `npanels` plain float panels of width `w` (32
/// or 16) from their halves, bit for bit.
void ck_join_panels_f32(const uint16_t *hi, const uint16_t *lo, int64_t npanels, int64_t d, int64_t w,
                        float *panels);

/// ck_search_f32 on split panels (`hi`, `lo` of width `bw`): the same scores, results and status.
int ck_search_split_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi,
                        const uint16_t *lo, int64_t bw, int64_t first_row, int64_t rows,
                        int64_t n_valid, int64_t d, ck_heaps_f32 heaps);

/// ck_search_split_f32 with row ids `first_row + id_offset + lane`: several corpora (the lists
/// of an inverted-file index) share one numbering of heap ids. Rows must still be offered to a
/// query in increasing id order.
int ck_search_split_ids_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi,
                            const uint16_t *lo, int64_t bw, int64_t first_row, int64_t rows,
                            int64_t n_valid, int64_t d, int64_t id_offset, ck_heaps_f32 heaps);

/// The approximate pass of a search bound by memory bandwidth: scores every query against rows
/// [first_row, first_row + rows) using the high halves alone (values truncated to bfloat16)
/// and keeps the approximate k best per query in `heaps` (ids are row numbers). Writes the
/// panels (numbered from the corpus's first panel) whose best approximate score for some query
/// came within `slack` of that query's running k-th best approximate score to `flagged`, with,
/// per flagged panel, the best approximate score of each query (NaN lanes ignored) to
/// `flagged_max[f·m + q]`. Returns the number of flagged panels, or a negated ck_status.h code
/// (−CK_ERROR_ALLOCATION, −CK_ERROR_PANEL_WIDTH) when it fails. A panel that was not flagged
/// holds no row whose approximate score is within `slack` of the final k-th best.
int64_t ck_prefilter_f32(const float *a, int64_t m, int64_t aw, const uint16_t *hi, int64_t bw,
                         int64_t first_row, int64_t rows, int64_t n_valid, int64_t d, float slack,
                         ck_heaps_f32 heaps, int64_t *flagged, float *flagged_max);

/// Offers (s, id) to query q's slots with the full order (score, then id, NaN last), in any
/// order relative to earlier offers: for merging entries the search loops did not produce.
void ck_heaps_offer_f32(ck_heaps_f32 heaps, int64_t q, float s, int64_t id);

/// The half-triangle self-search's offers: `s` (`rows` × `cols`, row stride `lds`) holds the
/// scores of rows row0 + i against rows col0 + j of one matrix; each pair with
/// col0 + j > row0 + i is offered to both rows' slots, (s, col0 + j) to row0 + i and
/// (s, row0 + i) to col0 + j, with the full order (so pairs may come in any order). `thr` is
/// scratch for `cols` floats. Slots of rows row0 … row0 + rows − 1 and col0 … col0 + cols − 1
/// must exist.
void ck_offer_pairs_f32(const float *s, int64_t lds, int64_t rows, int64_t cols, int64_t row0, int64_t col0,
                        ck_heaps_f32 heaps, float *thr);

/// Puts, for each of the first `m` queries, its best min(k, size) entries first, in rank order
/// (best first), and sets `sizes` to their number.
void ck_sort_heaps_f32(ck_heaps_f32 heaps, int64_t m);
void ck_sort_heaps_f64(ck_heaps_f64 heaps, int64_t m);

#ifdef __cplusplus
}
#endif
#endif
