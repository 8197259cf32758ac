#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "quant_internal.h"
#pragma clang fp contract(off)

/// 1 when the int8 scan may use AVX-512 VNNI: the CPU has it and the thread's level is 2.
static inline int uses_vnni(void) { return ck_level() == 2 && ck_cpu_has_vnni(); }

/// Rebuilds the floats of one split panel: out[r·d + k] = row r, column k.
static void unsplit_panel(const uint16_t *hi, const uint16_t *lo, int64_t bw, int64_t d, float *out) {
  for (int64_t r = 0; r < bw; r++) {
    const int64_t s = ck_split_slot(r, bw);
    for (int64_t k = 0; k < d; k++) out[r * d + k] = ck_unsplit(hi[k * bw + s], lo[k * bw + s]);
  }
}

/// The float nearest above x (x ≥ 0).
static float round_up(double x) {
  float f = (float)x;
  return (double)f >= x ? f : nextafterf(f, INFINITY);
}

int ck_quantize_int8(const uint16_t *hi, const uint16_t *lo, int64_t bw, int64_t panels,
                     int64_t d, int64_t n_valid, uint8_t *codes, float *inv_scale, float *err) {
  const int64_t d4 = (d + 3) / 4 * 4, groups = d4 / 4;
  float *rows = (float *)malloc((size_t)(bw * (d > 0 ? d : 1)) * sizeof(float));
  if (!rows) return CK_ERROR_ALLOCATION;
  memset(codes, 128, (size_t)(panels * groups * bw * 4));
  for (int64_t p = 0; p < panels; p++) {
    unsplit_panel(hi + p * bw * d, lo + p * bw * d, bw, d, rows);
    uint8_t *pc = codes + p * groups * bw * 4;
    for (int64_t r = 0; r < bw; r++) {
      const int64_t row = p * bw + r;
      const float *b = rows + r * d;
      if (row >= n_valid) {
        inv_scale[row] = 0;
        err[row] = 0;
        continue;
      }
      double m = 0, sq = 0;
      int finite = 1;
      for (int64_t k = 0; k < d; k++) {
        if (!isfinite(b[k])) finite = 0;
        const double v = fabs((double)b[k]);
        if (v > m) m = v;
        sq += (double)b[k] * (double)b[k];
      }
      if (!finite) {
        inv_scale[row] = 0;
        err[row] = INFINITY;
        continue;
      }
      const float s = (float)(m / 127.0);
      if (!(s > 0)) {  // a zero row (or one too small for a float scale): codes 0
        inv_scale[row] = 0;
        err[row] = round_up(sqrt(sq) * (1 + 0x1p-40));
        continue;
      }
      double e2 = 0;
      for (int64_t k = 0; k < d; k++) {
        double c = nearbyint((double)b[k] / (double)s);
        if (c > 127) c = 127;
        if (c < -127) c = -127;
        pc[((k / 4) * bw + r) * 4 + k % 4] = (uint8_t)((int)c + 128);
        const double e = (double)b[k] - c * (double)s;
        e2 += e * e;
      }
      inv_scale[row] = s;
      err[row] = round_up(sqrt(e2) * (1 + 0x1p-40) + 0x1p-60);
    }
  }
  free(rows);
  return CK_OK;
}

void ck_binary_codes(const uint16_t *hi, const uint16_t *lo, int64_t bw, int64_t panels, int64_t d,
                     int64_t n_valid, uint64_t *bits) {
  const int64_t words = (d + 63) / 64;
  memset(bits, 0, (size_t)(panels * bw * words) * sizeof(uint64_t));
  for (int64_t p = 0; p < panels; p++) {
    for (int64_t r = 0; r < bw; r++) {
      const int64_t row = p * bw + r, s = ck_split_slot(r, bw);
      if (row >= n_valid) continue;
      for (int64_t k = 0; k < d; k++) {
        const float v = ck_unsplit(hi[p * bw * d + k * bw + s], lo[p * bw * d + k * bw + s]);
        if (v > 0) bits[row * words + k / 64] |= (uint64_t)1 << (k % 64);
      }
    }
  }
}

static void scan_int8_portable(const uint8_t *codes, const float *inv_scale, const float *err,
                               int64_t bw, int64_t d, int64_t first_panel, int64_t panels,
                               const int8_t *q, int32_t qbias, float inv_t, float phi, float ahat,
                               float gamma, float *lower, float *upper) {
  const int64_t groups = (d + 3) / 4;
  int32_t acc[32];
  for (int64_t p = 0; p < panels; p++) {
    const uint8_t *pc = codes + (first_panel + p) * groups * bw * 4;
    for (int64_t r = 0; r < bw; r++) acc[r] = 0;
    for (int64_t g = 0; g < groups; g++) {
      const uint8_t *c = pc + g * bw * 4;
      const int8_t *qq = q + 4 * g;
      for (int64_t r = 0; r < bw; r++)
        acc[r] += c[4 * r] * qq[0] + c[4 * r + 1] * qq[1] + c[4 * r + 2] * qq[2] + c[4 * r + 3] * qq[3];
    }
    for (int64_t r = 0; r < bw; r++) {
      const int64_t row = (first_panel + p) * bw + r, o = p * bw + r;
      const float a = (float)(acc[r] - qbias) * inv_scale[row] * inv_t;
      const float m = (phi + ahat * err[row] + gamma) * CQ_MARGIN_FACTOR + CQ_MARGIN_FLOOR;
      lower[o] = a - m;
      upper[o] = a + m;
    }
  }
}

void ck_scan_int8(const uint8_t *codes, const float *inv_scale, const float *err, int64_t bw,
                  int64_t d, int64_t first_panel, int64_t panels, const int8_t *q, int32_t qbias,
                  float inv_t, float phi, float ahat, float gamma, float *lower, float *upper) {
#if CK_X86
  if (bw == 32 && uses_vnni())
    return ck_scan_int8_vnni(codes, inv_scale, err, d, first_panel, panels, q, qbias, inv_t, phi,
                             ahat, gamma, lower, upper);
#endif
  scan_int8_portable(codes, inv_scale, err, bw, d, first_panel, panels, q, qbias, inv_t, phi, ahat,
                     gamma, lower, upper);
}

#if CK_X86
__attribute__((target("popcnt"))) static void hamming_popcnt(const uint64_t *bits, int64_t words,
                                                             int64_t first_row, int64_t rows,
                                                             const uint64_t *q, int32_t *out) {
  for (int64_t i = 0; i < rows; i++) {
    const uint64_t *b = bits + (first_row + i) * words;
    int32_t n = 0;
    for (int64_t w = 0; w < words; w++) n += __builtin_popcountll(b[w] ^ q[w]);
    out[i] = n;
  }
}
#endif

void ck_hamming(const uint64_t *bits, int64_t words, int64_t first_row, int64_t rows,
                const uint64_t *q, int32_t *out) {
#if CK_X86
  if (ck_level() >= 1 && ck_cpu_has_popcnt())
    return hamming_popcnt(bits, words, first_row, rows, q, out);
#endif
  for (int64_t i = 0; i < rows; i++) {
    const uint64_t *b = bits + (first_row + i) * words;
    int32_t n = 0;
    for (int64_t w = 0; w < words; w++) n += __builtin_popcountll(b[w] ^ q[w]);
    out[i] = n;
  }
}

void ck_score_panels(const float *a, const uint16_t *hi, const uint16_t *lo, int64_t bw,
                     int64_t d, const int64_t *panels, int64_t count, float *out) {
#if CK_X86
  if (bw == 32 && ck_level() == 2) return ck_score_panels_avx512(a, hi, lo, d, panels, count, out);
#endif
  float acc[32];
  for (int64_t i = 0; i < count; i++) {
    const uint16_t *h = hi + panels[i] * bw * d, *l = lo + panels[i] * bw * d;
    for (int64_t r = 0; r < bw; r++) acc[r] = 0;
    for (int64_t k = 0; k < d; k++)
      for (int64_t r = 0; r < bw; r++) {
        const int64_t s = ck_split_slot(r, bw);
        acc[r] = fmaf(a[k], ck_unsplit(h[k * bw + s], l[k * bw + s]), acc[r]);
      }
    for (int64_t r = 0; r < bw; r++) {
      float x = acc[r];
      x = x > 1.0f ? 1.0f : x;
      x = x < -1.0f ? -1.0f : x;
      out[i * bw + r] = x;
    }
  }
}

void ck_copy_row(const uint16_t *src_hi, const uint16_t *src_lo, int64_t src_bw, int64_t src_row,
                 uint16_t *dst_hi, uint16_t *dst_lo, int64_t dst_bw, int64_t dst_row, int64_t d) {
  const int64_t sp = src_row / src_bw, ss = ck_split_slot(src_row % src_bw, src_bw);
  const int64_t dp = dst_row / dst_bw, ds = ck_split_slot(dst_row % dst_bw, dst_bw);
  const uint16_t *sh = src_hi + sp * src_bw * d + ss, *sl = src_lo + sp * src_bw * d + ss;
  uint16_t *dh = dst_hi + dp * dst_bw * d + ds, *dl = dst_lo + dp * dst_bw * d + ds;
  for (int64_t k = 0; k < d; k++) {
    dh[k * dst_bw] = sh[k * src_bw];
    dl[k * dst_bw] = sl[k * src_bw];
  }
}

void ck_zero_row(uint16_t *hi, uint16_t *lo, int64_t bw, int64_t row, int64_t d) {
  const int64_t p = row / bw, s = ck_split_slot(row % bw, bw);
  for (int64_t k = 0; k < d; k++) {
    hi[p * bw * d + k * bw + s] = 0;
    lo[p * bw * d + k * bw + s] = 0;
  }
}

/// Sift-down of a min-heap of n floats.
static void min_heap_down(float *h, int64_t n, int64_t i) {
  for (;;) {
    int64_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && h[l] < h[m]) m = l;
    if (r < n && h[r] < h[m]) m = r;
    if (m == i) return;
    const float t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static inline int passes(const uint64_t *mask, int64_t r) {
  return !mask || ((mask[r >> 6] >> (r & 63)) & 1);
}

static inline float clampf(float x) { return x > 1.0f ? 1.0f : (x < -1.0f ? -1.0f : x); }

int64_t ck_select_panels(const float *lower, const float *upper, int64_t rows, const uint64_t *mask,
                         int64_t k, int64_t bw, float *heap, int64_t *panels) {
  int64_t n = 0;
  for (int64_t r = 0; r < rows; r++) {
    if (!passes(mask, r)) continue;
    const float x = lower[r];
    if (n < k) {
      int64_t i = n++;
      heap[i] = x;
      while (i > 0 && heap[i] < heap[(i - 1) / 2]) {
        const float t = heap[i];
        heap[i] = heap[(i - 1) / 2];
        heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
      }
    } else if (k > 0 && x > heap[0]) {
      heap[0] = x;
      min_heap_down(heap, n, 0);
    }
  }
  const float tau = clampf(n < k || k == 0 ? -INFINITY : heap[0]);
  int64_t count = 0;
  for (int64_t r = 0; r < rows; r++) {
    if (clampf(upper[r]) >= tau && passes(mask, r)) {
      const int64_t p = r / bw;
      if (count == 0 || panels[count - 1] != p) panels[count++] = p;
    }
  }
  return count;
}

void ck_prefetch(const void *p, int64_t bytes) {
  const char *c = (const char *)p;
  for (int64_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o, 0, 3);
}
