#ifndef CK_QUANT_H
#define CK_QUANT_H
#include <stddef.h>
#include <stdint.h>

// Quantized first passes over split float panels (see ck_gemm.h): int8 codes scanned with
// AVX-512 VNNI (`vpdpbusd`, at kernel level 2 on CPUs that have it) or portable C, sign-bit codes compared by popcount, and exact
// rescoring of chosen panels with the same fused multiply-add chain as the search kernels.
//
// Int8 codes of a corpus of split panels of width `bw` (32 or 16) and `d` columns: with
// d4 = d rounded up to a multiple of 4 and G = d4 / 4, panel p, column group g and panel row r
// own 4 bytes at ((p·G + g)·bw + r)·4: the codes of columns 4g ..< 4g+4, each stored as
// c + 128 (an unsigned byte; c in [−127, 127]; padding columns and rows are 0 + 128).
// Per row, `inv_scale` s⁻¹ (float) and `err` ε (float, rounded up) are stored: the row's
// normalized floats b satisfy ‖b − c·s⁻¹‖₂ ≤ ε. Rows holding NaN or infinity have ε = +inf.

#ifdef __cplusplus
extern "C" {
#endif

/// Codes of `panels` split panels (rows ≥ n_valid are padding): writes `codes`
/// (panels·G·bw·4 bytes), `inv_scale` and `err` (panels·bw floats each). Per row,
/// s⁻¹ = max|b_k| / 127 rounded to float and c_k = round(b_k / s⁻¹). Returns CK_OK, or
/// CK_ERROR_ALLOCATION when its scratch row buffer cannot be allocated (outputs unspecified).
int ck_quantize_int8(const uint16_t *hi, const uint16_t *lo, int64_t bw, int64_t panels,
                     int64_t d, int64_t n_valid, uint8_t *codes, float *inv_scale, float *err);

/// Sign bits of `panels` split panels: row r (of panels·bw rows) owns `words` = ceil(d / 64)
/// words from r·words; bit k is set when b_k > 0. Padding rows are zero.
void ck_binary_codes(const uint16_t *hi, const uint16_t *lo, int64_t bw, int64_t panels, int64_t d,
                     int64_t n_valid, uint64_t *bits);

/// Bounds of every score of one query over panels [first_panel, first_panel + panels):
/// for row r (numbered from the panel range's first row), A = (Σ c·q − qbias)·s⁻¹·t⁻¹ and
/// m = (phi + ahat·ε + gamma)·(1 + 2⁻¹²) + 2⁻²⁰; writes lower[r] = A − m and upper[r] = A + m.
/// `q` holds the query's d4 codes (int8), `qbias` = 128·Σq.
void ck_scan_int8(const uint8_t *codes, const float *inv_scale, const float *err, int64_t bw,
                  int64_t d, int64_t first_panel, int64_t panels, const int8_t *q, int32_t qbias,
                  float inv_t, float phi, float ahat, float gamma, float *lower, float *upper);

/// Hamming distances between the query's sign bits `q` (`words` words) and rows
/// [first_row, first_row + rows) of `bits`: out[i] = popcount(q ⊕ row).
void ck_hamming(const uint64_t *bits, int64_t words, int64_t first_row, int64_t rows,
                const uint64_t *q, int32_t *out);

/// Exact scores of one packed query `a` (d floats) against every row of the listed split
/// panels: out[i·bw + r] = clamp(fma chain over k of a[k]·b[r][k], −1, 1), the same bits the
/// search kernels compute.
void ck_score_panels(const float *a, const uint16_t *hi, const uint16_t *lo, int64_t bw,
                     int64_t d, const int64_t *panels, int64_t count, float *out);

/// The int8 pass's choice of panels to rescore: with τ the k-th largest `lower` among the rows
/// r < rows that pass `mask` (bit r; NULL: all), writes, in increasing order and once each, the
/// panels (of width bw) holding a passing row with clamp(upper) ≥ clamp(τ) (τ = −∞ when fewer
/// than k pass). `heap` is scratch for k floats. Returns the number of panels written
/// (`panels` has room for ceil(rows / bw)).
int64_t ck_select_panels(const float *lower, const float *upper, int64_t rows, const uint64_t *mask,
                         int64_t k, int64_t bw, float *heap, int64_t *panels);

/// Asks the CPU to bring `bytes` from `p` into its caches (a hint: no effect on results), so that
/// scanning many small blocks in turn (the lists of an inverted file) overlaps their fetches.
void ck_prefetch(const void *p, int64_t bytes);

/// Copies the packed float of row `src_row` of split panels (width `src_bw`) to row `dst_row`
/// of other split panels (width `dst_bw`), bit for bit.
void ck_copy_row(const uint16_t *src_hi, const uint16_t *src_lo, int64_t src_bw, int64_t src_row,
                 uint16_t *dst_hi, uint16_t *dst_lo, int64_t dst_bw, int64_t dst_row, int64_t d);

/// Sets row `row` of split panels to zeros (padding rows).
void ck_zero_row(uint16_t *hi, uint16_t *lo, int64_t bw, int64_t row, int64_t d);

#ifdef __cplusplus
}
#endif
#endif
