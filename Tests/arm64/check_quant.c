// Quantized passes (ck_quant.h) over split panels of normalized rows: int8 codes, scales and
// error bounds against the documented rounding, sign bits, the int8 scan's bounds against a
// double evaluation of their formula, Hamming distances, exact rescoring against the fused
// multiply-add chain, the choice of panels against a sort, and the row copies.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CCosineKernels.h"
#include "check.h"
#pragma clang fp contract(off)

/// Row r, column k of split panels of width bw as a float (through the plain panels `b`).
static float packed(const float *b, int64_t bw, int64_t d, int64_t r, int64_t k) {
  return b[(r / bw) * bw * d + k * bw + r % bw];
}

static int desc(const void *x, const void *y) {
  const float a = *(const float *)x, b = *(const float *)y;
  return a > b ? -1 : (a < b ? 1 : 0);
}

static void check_quant(int64_t n, int64_t d, int64_t bw, int kind) {
  char name[96], tag[64];
  kc_rng g = kc_seed("quant", (uint64_t)((n * 1000 + d) * 64 + bw * 4 + kind));
  snprintf(tag, sizeof tag, "n%lld/d%lld/bw%lld/k%d", (long long)n, (long long)d, (long long)bw, kind);
  const int64_t panels = (n + bw - 1) / bw, rows = panels * bw, d4 = (d + 3) / 4 * 4;
  const int64_t words = (d + 63) / 64;
  float *y = kc_alloc((size_t)(n * d) * 4 + 4), *b;
  double *post = kc_alloc((size_t)n * 8 + 8);
  kc_fill_f32(y, n * d, &g, kind);
  b = kc_pack_rows_f32(y, n, d, bw, post);
  uint16_t *hi = kc_alloc((size_t)(rows * d) * 2 + 2), *lo = kc_alloc((size_t)(rows * d) * 2 + 2);
  ck_split_panels_f32(b, panels, d, bw, hi, lo);

  // Int8 codes: s⁻¹ = max|b| / 127 as a float, c = round(b / s⁻¹); ε bounds ‖b − c·s⁻¹‖.
  uint8_t *codes = kc_alloc((size_t)(rows * d4) + 1), *rowcodes = kc_alloc((size_t)(n * d4) + 1);
  float *inv = kc_alloc((size_t)rows * 4 + 4), *err = kc_alloc((size_t)rows * 4 + 4);
  const int status = ck_quantize_int8(hi, lo, bw, panels, d, n, codes, inv, err);
  int ok = status == CK_OK;
  for (int64_t r = 0; r < rows && ok; r++) {
    double mx = 0, sq = 0, e2 = 0;
    int finite = 1;
    for (int64_t k = 0; k < d && r < n; k++) {
      const double v = packed(b, bw, d, r, k);
      finite &= isfinite(v), mx = fmax(mx, fabs(v)), sq += v * v;
    }
    const float s = (float)(mx / 127.0);
    for (int64_t k = 0; k < d4; k++) {
      const uint8_t got = codes[(r / bw) * (d4 / 4) * bw * 4 + ((k / 4) * bw + r % bw) * 4 + k % 4];
      double c = 0;
      if (r < n && k < d && finite && s > 0) {
        c = nearbyint((double)packed(b, bw, d, r, k) / (double)s);
        c = c > 127 ? 127 : (c < -127 ? -127 : c);
        const double e = (double)packed(b, bw, d, r, k) - c * (double)s;
        e2 += e * e;
      }
      ok &= got == (uint8_t)((int)c + 128);
      if (r < n) rowcodes[r * d4 + k] = got;
    }
    const double want_err = r >= n ? 0 : (!finite ? INFINITY : sqrt(s > 0 ? e2 : sq));
    const float want_inv = r >= n || !finite || !(s > 0) ? 0 : s;
    ok &= inv[r] == want_inv && (double)err[r] >= want_err &&
          (double)err[r] <= want_err * (1 + 1e-6) + 0x1p-59;
    if (!ok) printf("  quantize_int8/%s: row %lld: inv %a (want %a), err %a (bound %a)\n", tag,
                    (long long)r, (double)inv[r], (double)want_inv, (double)err[r], want_err);
  }
  snprintf(name, sizeof name, "quantize_int8/%s", tag);
  kc_check(ok, name, "status %d; codes, scales or error bounds not as documented", status);
  kc_digest(KC_TOLERANCE, name, rowcodes, (size_t)(n * d4));
  kc_digest(KC_TOLERANCE, name, err, (size_t)n * 4);

  // Sign bits.
  uint64_t *bits = kc_alloc((size_t)(rows * words) * 8 + 8), *want = kc_alloc((size_t)(rows * words) * 8 + 8);
  ck_binary_codes(hi, lo, bw, panels, d, n, bits);
  for (int64_t r = 0; r < n; r++)
    for (int64_t k = 0; k < d; k++)
      if (packed(b, bw, d, r, k) > 0) want[r * words + k / 64] |= 1ull << (k % 64);
  snprintf(name, sizeof name, "binary_codes/%s", tag);
  kc_check(kc_same_bits(bits, want, rows * words, 8) < 0, name, "not the sign bits");
  kc_digest(KC_BITWISE, name, bits, (size_t)(n * words) * 8);

  // One query: its codes, the scan's bounds, Hamming distances, exact scores, the panel choice.
  float *qx = kc_alloc((size_t)d * 4 + 4), *qa;
  double qpost;
  kc_fill_f32(qx, d, &g, KC_RANDOM);
  qa = kc_pack_rows_f32(qx, 1, d, 1, &qpost);
  double qmax = 0;
  for (int64_t k = 0; k < d; k++) qmax = fmax(qmax, fabs((double)qa[k]));
  const float t = (float)(qmax / 127.0);
  int8_t *q = kc_alloc((size_t)d4 + 1);
  int32_t qsum = 0;
  for (int64_t k = 0; k < d && t > 0; k++) q[k] = (int8_t)nearbyint(qa[k] / t), qsum += q[k];
  const float phi = (float)(0.01 + 0.01 * fabs(kc_unit(&g))), ahat = 1.0f, gamma = 0x1p-10f;
  float *lower = kc_alloc((size_t)rows * 4 + 4), *upper = kc_alloc((size_t)rows * 4 + 4);
  const int64_t first = panels > 1 ? 1 : 0;
  ck_scan_int8(codes, inv, err, bw, d, first, panels - first, q, 128 * qsum, t, phi, ahat, gamma, lower, upper);
  ok = 1;
  for (int64_t i = 0; i < (panels - first) * bw && ok; i++) {
    const int64_t r = first * bw + i;
    int64_t dot = 0;
    for (int64_t k = 0; k < d4; k++) dot += (int64_t)((int)rowcodes[(r < n ? r : 0) * d4 + k] - 128) * q[k];
    if (r >= n) dot = 0;
    const double A = (double)dot * inv[r] * t, m = ((double)phi + (double)ahat * err[r] + gamma) * (1 + 0x1p-12) + 0x1p-20;
    const double tl = 4 * KC_U32 * (fabs(A) + m) + 0x1p-140;
    ok = kc_close_f32("scan_int8 lower", lower + i, &(double){A - m}, &tl, 1) < 0 &&
         kc_close_f32("scan_int8 upper", upper + i, &(double){A + m}, &tl, 1) < 0;
  }
  snprintf(name, sizeof name, "scan_int8/%s", tag);
  kc_check(ok, name, "bounds not the documented formula");
  kc_digest_f32(KC_TOLERANCE, name, lower, (panels - first) * bw);

  uint64_t qbits[8] = {0};
  for (int64_t k = 0; k < d; k++)
    if (qa[k] > 0) qbits[k / 64] |= 1ull << (k % 64);
  int32_t *ham = kc_alloc((size_t)n * 4 + 4);
  ck_hamming(bits, words, 0, n, qbits, ham);
  ok = 1;
  for (int64_t r = 0; r < n; r++) {
    int32_t c = 0;
    for (int64_t k = 0; k < d; k++) c += ((want[r * words + k / 64] >> (k % 64)) & 1) != (uint64_t)(qa[k] > 0);
    ok &= ham[r] == c;
  }
  snprintf(name, sizeof name, "hamming/%s", tag);
  kc_check(ok, name, "not the popcounts");
  kc_digest(KC_BITWISE, name, ham, (size_t)n * 4);

  int64_t *list = kc_alloc((size_t)(panels + 1) * 8);
  int64_t count = 0;
  for (int64_t p = panels - 1; p >= 0; p -= 2) list[count++] = p;  // any order, some panels
  float *scores = kc_alloc((size_t)(count * bw) * 4 + 4), *chain = kc_alloc((size_t)(count * bw) * 4 + 4);
  ck_score_panels(qa, hi, lo, bw, d, list, count, scores);
  for (int64_t i = 0; i < count; i++)
    for (int64_t r = 0; r < bw; r++)
      chain[i * bw + r] = kc_chain_f32(qa, 1, b + list[i] * bw * d + r, bw, d, 1);
  snprintf(name, sizeof name, "score_panels/%s", tag);
  kc_check(kc_same_f32(name, scores, chain, count * bw) < 0, name, "not the search kernels' chains");
  kc_digest_f32(KC_BITWISE, name, scores, count * bw);

  uint64_t mask[64] = {0};
  for (int64_t i = 0; i < 64; i++) mask[i] = kc_next(&g);
  const int64_t ks[] = {0, 1, 5, rows + 3};
  float *heap = kc_alloc((size_t)(rows + 4) * 4), *sorted = kc_alloc((size_t)rows * 4 + 4);
  int64_t *chosen = kc_alloc((size_t)(panels + 1) * 8), *expect = kc_alloc((size_t)(panels + 1) * 8);
  ok = 1;
  for (int i = 0; i < 8 && ok; i++) {
    const int64_t k = ks[i % 4], nr = (panels - first) * bw;
    const uint64_t *mk = i < 4 ? NULL : mask;
    int64_t np = 0, ne = 0;
    for (int64_t r = 0; r < nr; r++)
      if (!mk || ((mk[r >> 6] >> (r & 63)) & 1)) sorted[np++] = lower[r];
    qsort(sorted, (size_t)np, 4, desc);
    float tau = np < k || k == 0 ? -INFINITY : sorted[k - 1];
    tau = tau > 1 ? 1 : (tau < -1 ? -1 : tau);
    for (int64_t r = 0; r < nr; r++) {
      const float u = upper[r] > 1 ? 1 : (upper[r] < -1 ? -1 : upper[r]);
      if ((!mk || ((mk[r >> 6] >> (r & 63)) & 1)) && u >= tau && (ne == 0 || expect[ne - 1] != r / bw))
        expect[ne++] = r / bw;
    }
    const int64_t got = ck_select_panels(lower, upper, nr, mk, k, bw, heap, chosen);
    ok = got == ne && kc_same_bits(chosen, expect, ne, 8) < 0;
  }
  snprintf(name, sizeof name, "select_panels/%s", tag);
  kc_check(ok, name, "not the panels the bounds cannot exclude");

  // Copy a row into panels of another width, then zero it.
  uint16_t *h2 = kc_alloc((size_t)(2 * 32 * d) * 2 + 2), *l2 = kc_alloc((size_t)(2 * 32 * d) * 2 + 2);
  const int64_t src = n - 1, dst = 37 % (2 * 32);
  ck_copy_row(hi, lo, bw, src, h2, l2, 32, dst, d);
  ok = 1;
  for (int64_t k = 0; k < d; k++) {
    // Rebuild through ck_split_panels_f32's inverse: slot of `dst` in a width-32 panel.
    const int64_t p = dst / 32, rr = dst % 32, half = 16, r2 = rr % half;
    const int64_t slot = 8 * (r2 / 4) + r2 % 4 + (rr >= half ? 4 : 0);
    const uint32_t u = ((uint32_t)h2[p * 32 * d + k * 32 + slot] << 16) | l2[p * 32 * d + k * 32 + slot];
    float v, w = packed(b, bw, d, src, k);
    memcpy(&v, &u, 4);
    ok &= memcmp(&v, &w, 4) == 0;
  }
  ck_zero_row(h2, l2, 32, dst, d);
  for (int64_t i = 0; i < 2 * 32 * d; i++) ok &= h2[i] == 0 && l2[i] == 0;
  snprintf(name, sizeof name, "copy_zero_row/%s", tag);
  kc_check(ok, name, "the row's bits did not move, or zeroing left bits");
  free(y), free(post), free(b), free(hi), free(lo), free(codes), free(rowcodes), free(inv), free(err);
  free(bits), free(want), free(qx), free(qa), free(q), free(lower), free(upper), free(ham), free(list);
  free(scores), free(chain), free(heap), free(sorted), free(chosen), free(expect), free(h2), free(l2);
}

void kc_check_quant(void) {
  // (rows, d): one row; tails of the panels and of the 4-column groups and 64-bit words.
  const int64_t cases[][2] = {{1, 1}, {5, 3}, {33, 17}, {40, 64}, {70, 130}, {100, 384}};
  for (int c = 0; c < 6; c++)
    for (int kind = KC_RANDOM; kind <= KC_EDGE; kind++) {
      check_quant(cases[c][0], cases[c][1], 16, kind);
      if (ck_panel_width_f32() != 16) check_quant(cases[c][0], cases[c][1], ck_panel_width_f32(), kind);
    }
}
