// Exact top-k search, its split-panel form, the bfloat16 prefilter and the final sort (ck_gemm.h)
// against a brute-force ranking of the exact fused multiply-add chains: higher score first,
// equal scores by lower id, NaN after every number. The header promises equality with that
// ranking, bit for bit, so the comparison is exact.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CCosineKernels.h"
#include "check.h"
#pragma clang fp contract(off)

typedef struct {
  double score;
  int64_t id;
} entry;

/// The ranking order: a before b when a's score is higher, or equal with a lower id; NaN last.
static int rank_order(const void *pa, const void *pb) {
  const entry *a = (const entry *)pa, *b = (const entry *)pb;
  const int na = isnan(a->score), nb = isnan(b->score);
  if (na != nb) return na ? 1 : -1;
  if (!na && a->score != b->score) return a->score > b->score ? -1 : 1;
  return a->id < b->id ? -1 : (a->id > b->id ? 1 : 0);
}

/// Compares the first min(k, n) slots of query q with the best entries of `all` (n, sorted here).
static int same_ranking(const char *name, int64_t q, entry *all, int64_t n, int64_t k,
                        const double *scores, const int64_t *ids, int64_t size) {
  qsort(all, (size_t)n, sizeof(entry), rank_order);
  const int64_t want = k < n ? k : n;
  if (size != want) {
    printf("  %s: query %lld holds %lld results, expected %lld\n", name, (long long)q,
           (long long)size, (long long)want);
    return 0;
  }
  for (int64_t i = 0; i < want; i++) {
    const int same = ids[i] == all[i].id &&
                     ((isnan(scores[i]) && isnan(all[i].score)) || scores[i] == all[i].score);
    if (!same || (scores[i] == 0 && signbit(scores[i]) != signbit(all[i].score))) {
      printf("  %s: query %lld rank %lld is (%a, %lld), expected (%a, %lld)\n", name, (long long)q,
             (long long)i, scores[i], (long long)ids[i], all[i].score, (long long)all[i].id);
      return 0;
    }
  }
  return 1;
}

/// One search case of either type: the corpus is offered in chunks of `chunk` panels, with ids
/// shifted by `offset`; `reservoir` selects capacity 2k + 3 instead of k. Rows 5 apart are
/// copies (equal scores, ranked by id).
#define SEARCH_CASE(T, SUF, PW, HEAPS)                                                                 \
  static void search_##SUF(int64_t m, int64_t n, int64_t d, int64_t k, int64_t aw, int64_t chunk,      \
                           int reservoir, int64_t offset, int kind) {                                  \
    char name[128];                                                                                    \
    kc_rng g = kc_seed("search_" #SUF, (uint64_t)((((m * 1000 + n) * 1000 + d) * 64 + k) * 8 + kind)); \
    const int64_t bw = PW(), cap = reservoir ? 2 * k + 3 : k, panels = (n + bw - 1) / bw;              \
    T *x = kc_alloc((size_t)(m * d) * sizeof(T) + 8), *y = kc_alloc((size_t)(n * d) * sizeof(T) + 8);  \
    double *px = kc_alloc((size_t)m * 8 + 8), *py = kc_alloc((size_t)n * 8 + 8);                       \
    kc_fill_##SUF(x, m * d, &g, kind), kc_fill_##SUF(y, n * d, &g, kind);                              \
    for (int64_t j = 5; j < n; j += 7) memcpy(y + j * d, y + (j - 5) * d, (size_t)d * sizeof(T));      \
    T *a = kc_pack_rows_##SUF(x, m, d, aw, px), *b = kc_pack_rows_##SUF(y, n, d, bw, py);              \
    T *hs = kc_alloc((size_t)(m * cap) * sizeof(T) + 8);                                               \
    int64_t *hid = kc_alloc((size_t)(m * cap) * 8 + 8), *sizes = kc_alloc((size_t)m * 8 + 8);          \
    HEAPS h = {hs, hid, sizes, k, cap};                                                                \
    int status = CK_OK;                                                                                \
    for (int64_t p = 0; p < panels && status == CK_OK; p += chunk)                                     \
      status = ck_search_##SUF(a, m, aw, b, bw, p * bw, chunk * bw, n, d, offset, h);                  \
    ck_sort_heaps_##SUF(h, m);                                                                         \
    snprintf(name, sizeof name, "search_" #SUF "/m%lld/n%lld/d%lld/k%lld/aw%lld/c%lld/r%d/k%d",       \
             (long long)m, (long long)n, (long long)d, (long long)k, (long long)aw, (long long)chunk, \
             reservoir, kind);                                                                         \
    entry *all = kc_alloc((size_t)n * sizeof(entry) + 16);                                             \
    double *got = kc_alloc((size_t)cap * 8 + 8);                                                       \
    int ok = status == CK_OK;                                                                          \
    for (int64_t q = 0; q < m && ok; q++) {                                                            \
      const T *aq = a + (q / aw) * aw * d + q % aw;                                                    \
      for (int64_t j = 0; j < n; j++)                                                                  \
        all[j].score = kc_chain_##SUF(aq, aw, b + (j / bw) * bw * d + j % bw, bw, d, 1),               \
        all[j].id = j + offset;                                                                        \
      for (int64_t i = 0; i < cap; i++) got[i] = hs[q * cap + i];                                      \
      ok = same_ranking(name, q, all, n, k, got, hid + q * cap, sizes[q]);                             \
    }                                                                                                  \
    kc_check(ok, name, "status %d; not the brute-force ranking", status);                              \
    for (int64_t q = 0; q < m; q++)                                                                    \
      for (int64_t i = sizes[q]; i < cap; i++) hs[q * cap + i] = 0, hid[q * cap + i] = 0;              \
    kc_digest_##SUF(KC_BITWISE, name, hs, m * cap);                                                    \
    kc_digest(KC_BITWISE, name, hid, (size_t)(m * cap) * 8);                                           \
    free(x), free(y), free(px), free(py), free(a), free(b), free(hs), free(hid), free(sizes);           \
    free(all), free(got);                                                                              \
  }

SEARCH_CASE(float, f32, ck_panel_width_f32, ck_heaps_f32)
SEARCH_CASE(double, f64, ck_panel_width_f64, ck_heaps_f64)

/// Split panels: the same ranking as plain panels; then the prefilter on their high halves.
static void search_split(int64_t m, int64_t n, int64_t d, int64_t k, int64_t aw, int kind) {
  char name[128];
  kc_rng g = kc_seed("search_split", (uint64_t)((((m * 1000 + n) * 1000 + d) * 64 + k) * 8 + kind));
  const int64_t bw = ck_panel_width_f32(), panels = (n + bw - 1) / bw;
  float *x = kc_alloc((size_t)(m * d) * 4 + 4), *y = kc_alloc((size_t)(n * d) * 4 + 4);
  double *px = kc_alloc((size_t)m * 8), *py = kc_alloc((size_t)n * 8);
  kc_fill_f32(x, m * d, &g, kind), kc_fill_f32(y, n * d, &g, kind);
  float *a = kc_pack_rows_f32(x, m, d, aw, px), *b = kc_pack_rows_f32(y, n, d, bw, py);
  uint16_t *hi = kc_alloc((size_t)(panels * bw * d) * 2 + 2), *lo = kc_alloc((size_t)(panels * bw * d) * 2 + 2);
  ck_split_panels_f32(b, panels, d, bw, hi, lo);
  float *hs = kc_alloc((size_t)(m * k) * 4), *fmax = kc_alloc((size_t)((panels + 1) * m) * 4);
  int64_t *hid = kc_alloc((size_t)(m * k) * 8), *sizes = kc_alloc((size_t)m * 8);
  int64_t *flagged = kc_alloc((size_t)(panels + 1) * 8);
  ck_heaps_f32 h = {hs, hid, sizes, k, k};
  const int status = ck_search_split_f32(a, m, aw, hi, lo, bw, 0, panels * bw, n, d, h);
  ck_sort_heaps_f32(h, m);
  entry *all = kc_alloc((size_t)n * sizeof(entry));
  double *got = kc_alloc((size_t)k * 8), *kth = kc_alloc((size_t)m * 8);
  int ok = status == CK_OK;
  snprintf(name, sizeof name, "search_split/m%lld/n%lld/d%lld/k%lld/aw%lld/k%d", (long long)m,
           (long long)n, (long long)d, (long long)k, (long long)aw, kind);
  for (int64_t q = 0; q < m && ok; q++) {
    for (int64_t j = 0; j < n; j++)
      all[j].score = kc_chain_f32(a + (q / aw) * aw * d + q % aw, aw, b + (j / bw) * bw * d + j % bw, bw, d, 1),
      all[j].id = j;
    for (int64_t i = 0; i < k; i++) got[i] = hs[q * k + i];
    ok = same_ranking(name, q, all, n, k, got, hid + q * k, sizes[q]);
  }
  kc_check(ok, name, "status %d; not the ranking of plain panels", status);
  kc_digest_f32(KC_BITWISE, name, hs, m * k);

  // Prefilter: approximate scores are the chains over the values truncated to bfloat16.
  memset(sizes, 0, (size_t)m * 8);
  const float slack = 0.05f;
  const int64_t nf = ck_prefilter_f32(a, m, aw, hi, bw, 0, panels * bw, n, d, slack, h, flagged, fmax);
  ck_sort_heaps_f32(h, m);
  float *approx = kc_alloc((size_t)(m * n) * 4 + 4), *bt = kc_alloc((size_t)d * 4 + 4);
  for (int64_t j = 0; j < n; j++) {
    for (int64_t kk = 0; kk < d; kk++) {
      float v = b[(j / bw) * bw * d + kk * bw + j % bw];
      uint32_t u;
      memcpy(&u, &v, 4), u &= 0xffff0000u, memcpy(&bt[kk], &u, 4);
    }
    for (int64_t q = 0; q < m; q++) approx[q * n + j] = kc_chain_f32(a + (q / aw) * aw * d + q % aw, aw, bt, 1, d, 0);
  }
  snprintf(name, sizeof name, "prefilter/m%lld/n%lld/d%lld/k%lld/aw%lld/k%d", (long long)m,
           (long long)n, (long long)d, (long long)k, (long long)aw, kind);
  ok = nf >= 0;
  for (int64_t q = 0; q < m && ok; q++) {
    for (int64_t j = 0; j < n; j++) all[j].score = approx[q * n + j], all[j].id = j;
    for (int64_t i = 0; i < k; i++) got[i] = hs[q * k + i];
    ok = same_ranking(name, q, all, n, k, got, hid + q * k, sizes[q]);
    kth[q] = sizes[q] == k ? got[k - 1] : NAN;
  }
  for (int64_t f = 0; f < nf && ok; f++) {
    ok = flagged[f] >= 0 && flagged[f] < panels && (f == 0 || flagged[f] > flagged[f - 1]);
    for (int64_t q = 0; q < m && ok; q++) {
      float best = -INFINITY;
      for (int64_t j = flagged[f] * bw; j < n && j < (flagged[f] + 1) * bw; j++)
        if (approx[q * n + j] > best) best = approx[q * n + j];
      ok = best == fmax[f * m + q];
      if (!ok) printf("  %s: panel %lld query %lld max %a, expected %a\n", name, (long long)flagged[f],
                      (long long)q, (double)fmax[f * m + q], (double)best);
    }
  }
  // A panel that was not flagged holds no row within `slack` of the final k-th best.
  for (int64_t p = 0, f = 0; p < panels && ok; p++) {
    if (f < nf && flagged[f] == p) {
      f++;
      continue;
    }
    for (int64_t q = 0; q < m && ok; q++)
      for (int64_t j = p * bw; j < n && j < (p + 1) * bw && ok; j++)
        ok = isnan(kth[q]) ? 0 : !(approx[q * n + j] > kth[q] - slack);
    if (!ok) printf("  %s: panel %lld was not flagged\n", name, (long long)p);
  }
  kc_check(ok, name, "%lld panels flagged of %lld", (long long)nf, (long long)panels);
  kc_digest(KC_BITWISE, name, hid, (size_t)(m * k) * 8);
  free(x), free(y), free(px), free(py), free(a), free(b), free(hi), free(lo), free(hs), free(fmax);
  free(hid), free(sizes), free(flagged), free(all), free(got), free(kth), free(approx), free(bt);
}

/// The inverted file's helpers: split panels joined back bit for bit, the split search with an id
/// offset, query rows gathered into panels, and heap offers in any order.
static void check_ivf_helpers(int64_t m, int64_t n, int64_t d, int64_t k, int64_t aw, int kind) {
  char name[128];
  kc_rng g = kc_seed("ivf_helpers", (uint64_t)((((m * 1000 + n) * 1000 + d) * 64 + k) * 8 + kind));
  const int64_t bw = ck_panel_width_f32(), panels = (n + bw - 1) / bw;
  float *x = kc_alloc((size_t)(m * d) * 4 + 4), *y = kc_alloc((size_t)(n * d) * 4 + 4);
  double *px = kc_alloc((size_t)m * 8), *py = kc_alloc((size_t)n * 8);
  kc_fill_f32(x, m * d, &g, kind), kc_fill_f32(y, n * d, &g, kind);
  float *b = kc_pack_rows_f32(y, n, d, bw, py);
  uint16_t *hi = kc_alloc((size_t)(panels * bw * d) * 2 + 2), *lo = kc_alloc((size_t)(panels * bw * d) * 2 + 2);
  ck_split_panels_f32(b, panels, d, bw, hi, lo);
  float *joined = kc_alloc((size_t)(panels * bw * d) * 4 + 4);
  ck_join_panels_f32(hi, lo, panels, d, bw, joined);
  snprintf(name, sizeof name, "join_panels/n%lld/d%lld/k%d", (long long)n, (long long)d, kind);
  kc_check(kc_same_bits(joined, b, panels * bw * d, 4) < 0, name, "joined halves differ from the panels");
  // Gather: rows in a scrambled order (with repeats) into panels of width aw.
  int32_t *rows = kc_alloc((size_t)m * 4 + 4);
  for (int64_t i = 0; i < m; i++) rows[i] = (int32_t)kc_below(&g, m);
  const int64_t tiles = (m + aw - 1) / aw;
  float *a = kc_alloc((size_t)(tiles * aw * d) * 4 + 4), *want = kc_alloc((size_t)(tiles * aw * d) * 4 + 4);
  ck_gather_panels_f32(x, d, rows, m, aw, a);
  for (int64_t t = 0; t < tiles; t++)
    for (int64_t kk = 0; kk < d; kk++)
      for (int64_t r = 0; r < aw; r++)
        want[t * aw * d + kk * aw + r] = t * aw + r < m ? x[(int64_t)rows[t * aw + r] * d + kk] : 0.0f;
  snprintf(name, sizeof name, "gather_panels/m%lld/d%lld/aw%lld/k%d", (long long)m, (long long)d, (long long)aw, kind);
  kc_check(kc_same_bits(a, want, tiles * aw * d, 4) < 0, name, "gathered panels differ");
  kc_digest_f32(KC_BITWISE, name, a, tiles * aw * d);
  // The split search numbered from an offset: the ids of the plain one, shifted.
  float *hs = kc_alloc((size_t)(m * k) * 4), *hs2 = kc_alloc((size_t)(m * k) * 4);
  int64_t *hid = kc_alloc((size_t)(m * k) * 8), *hid2 = kc_alloc((size_t)(m * k) * 8);
  int64_t *sizes = kc_alloc((size_t)m * 8), *sizes2 = kc_alloc((size_t)m * 8);
  ck_heaps_f32 h = {hs, hid, sizes, k, k}, h2 = {hs2, hid2, sizes2, k, k};
  int ok = ck_search_split_f32(a, m, aw, hi, lo, bw, 0, panels * bw, n, d, h) == CK_OK &&
           ck_search_split_ids_f32(a, m, aw, hi, lo, bw, 0, panels * bw, n, d, 1000, h2) == CK_OK;
  ck_sort_heaps_f32(h, m), ck_sort_heaps_f32(h2, m);
  for (int64_t q = 0; q < m && ok; q++) {
    ok = sizes[q] == sizes2[q];
    for (int64_t i = 0; i < sizes[q] && ok; i++)
      ok = hid2[q * k + i] == hid[q * k + i] + 1000 && kc_same_bits(hs2 + q * k + i, hs + q * k + i, 1, 4) < 0;
  }
  snprintf(name, sizeof name, "search_split_ids/m%lld/n%lld/d%lld/k%lld/k%d", (long long)m, (long long)n,
           (long long)d, (long long)k, kind);
  kc_check(ok, name, "ids not those of the plain split search plus the offset");
  // Offers in a scrambled order keep the best k by (score, id), NaN last.
  entry *all = kc_alloc((size_t)n * sizeof(entry));
  double *got = kc_alloc((size_t)k * 8);
  memset(sizes, 0, (size_t)m * 8);
  int64_t *order = kc_alloc((size_t)n * 8);
  for (int64_t j = 0; j < n; j++) order[j] = j;
  for (int64_t j = n - 1; j > 0; j--) {
    const int64_t r = kc_below(&g, j + 1), t = order[j];
    order[j] = order[r], order[r] = t;
  }
  ok = 1;
  for (int64_t q = 0; q < m; q++)
    for (int64_t j = 0; j < n; j++) {
      const int64_t id = order[j];
      ck_heaps_offer_f32(h, q, joined[(id / bw) * bw * d + (q % d) * bw + id % bw], id);
    }
  ck_sort_heaps_f32(h, m);
  snprintf(name, sizeof name, "heaps_offer/m%lld/n%lld/k%lld/k%d", (long long)m, (long long)n, (long long)k, kind);
  for (int64_t q = 0; q < m && ok; q++) {
    for (int64_t j = 0; j < n; j++) all[j].score = joined[(j / bw) * bw * d + (q % d) * bw + j % bw], all[j].id = j;
    for (int64_t i = 0; i < k; i++) got[i] = hs[q * k + i];
    ok = same_ranking(name, q, all, n, k, got, hid + q * k, sizes[q]);
  }
  kc_check(ok, name, "not the ranking order");
  free(x), free(y), free(px), free(py), free(b), free(hi), free(lo), free(joined), free(rows), free(a), free(want);
  free(hs), free(hs2), free(hid), free(hid2), free(sizes), free(sizes2), free(all), free(got), free(order);
}

/// The final sort on its own: reservoirs of random entries with ties and NaNs.
static void check_sort(int64_t k, int64_t cap, int64_t fill) {
  char name[96];
  kc_rng g = kc_seed("sort", (uint64_t)(k * 1000 + fill));
  const int64_t m = 3;
  double *s = kc_alloc((size_t)(m * cap) * 8), *got = kc_alloc((size_t)cap * 8);
  int64_t *ids = kc_alloc((size_t)(m * cap) * 8), sizes[3];
  entry *all = kc_alloc((size_t)cap * sizeof(entry));
  for (int64_t i = 0; i < m * cap; i++) {
    const int64_t r = kc_below(&g, 8);
    s[i] = r == 0 ? NAN : (double)kc_below(&g, 5) / 4, ids[i] = kc_below(&g, 1000) * m * cap + i;
  }
  for (int64_t q = 0; q < m; q++) sizes[q] = fill;
  ck_heaps_f64 h = {s, ids, sizes, k, cap};
  ck_sort_heaps_f64(h, m);
  int ok = 1;
  snprintf(name, sizeof name, "sort_heaps/k%lld/cap%lld/fill%lld", (long long)k, (long long)cap, (long long)fill);
  kc_rng g2 = kc_seed("sort", (uint64_t)(k * 1000 + fill));
  for (int64_t q = 0; q < m; q++) {
    for (int64_t i = 0; i < cap; i++) {  // the same draws again: the entries before sorting
      const int64_t r = kc_below(&g2, 8);
      all[i].score = r == 0 ? NAN : (double)kc_below(&g2, 5) / 4;
      all[i].id = kc_below(&g2, 1000) * m * cap + q * cap + i;
    }
    for (int64_t i = 0; i < cap; i++) got[i] = s[q * cap + i];
    ok &= same_ranking(name, q, all, fill, k, got, ids + q * cap, sizes[q]);
  }
  kc_check(ok, name, "not the ranking order");
  kc_digest(KC_BITWISE, name, ids, (size_t)(m * cap) * 8);
  free(s), free(got), free(ids), free(all);
}

/// The half-triangle offers: a symmetric n × n score matrix (ties, and NaNs with `edge`) offered
/// in tiles of `rows` × `cols` (pairs above the diagonal only), against each row's full ranking
/// of the other rows; `k` past 64-ish takes reservoir slots (capacity 2k).
static void check_offer_pairs(int64_t n, int64_t rows, int64_t cols, int64_t k, int64_t cap, int edge) {
  char name[96];
  kc_rng g = kc_seed("offer_pairs", (uint64_t)(((n * 100 + rows) * 100 + cols) * 2 + edge));
  float *s = kc_alloc((size_t)(n * n) * 4), *thr = kc_alloc((size_t)cols * 4);
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j <= i; j++) {
      float v = (float)kc_below(&g, 9) / 8 - 0.5f;  // few values: many ties
      if (edge && kc_below(&g, 17) == 0) v = __builtin_nanf("");
      s[i * n + j] = s[j * n + i] = v;
    }
  float *hs = kc_alloc((size_t)(n * cap) * 4);
  int64_t *hid = kc_alloc((size_t)(n * cap) * 8), *sizes = kc_alloc((size_t)n * 8);
  for (int64_t q = 0; q < n; q++) sizes[q] = 0;
  ck_heaps_f32 h = {hs, hid, sizes, k, cap};
  // Column blocks first, then row blocks, so that the offers come out of order.
  for (int64_t c0 = 0; c0 < n; c0 += cols)
    for (int64_t r0 = 0; r0 < n; r0 += rows) {
      const int64_t m = n - r0 < rows ? n - r0 : rows, w = n - c0 < cols ? n - c0 : cols;
      ck_offer_pairs_f32(s + r0 * n + c0, n, m, w, r0, c0, h, thr);
    }
  ck_sort_heaps_f32(h, n);
  snprintf(name, sizeof name, "offer_pairs/n%lld/r%lld/c%lld/k%lld/e%d", (long long)n, (long long)rows,
           (long long)cols, (long long)k, edge);
  entry *all = kc_alloc((size_t)n * sizeof(entry));
  double *got = kc_alloc((size_t)k * 8);
  int ok = 1;
  for (int64_t q = 0; q < n && ok; q++) {
    int64_t m = 0;
    for (int64_t j = 0; j < n; j++)
      if (j != q) all[m].score = s[q * n + j], all[m].id = j, m++;
    for (int64_t i = 0; i < k && i < sizes[q]; i++) got[i] = hs[q * cap + i];
    ok = same_ranking(name, q, all, m, k, got, hid + q * cap, sizes[q]);
  }
  kc_check(ok, name, "not each row's ranking of the other rows");
  free(s), free(thr), free(hs), free(hid), free(sizes), free(all), free(got);
}

void kc_check_search(void) {
  // (m, n, d, k, aw, chunk, reservoir, offset): one row and one result; ties; k past n; tails.
  const int64_t cases[][8] = {{1, 1, 1, 1, 1, 1, 0, 0},     {3, 40, 7, 5, 4, 1, 0, 1000},
                              {7, 100, 33, 10, 6, 2, 1, 0}, {16, 37, 16, 50, 16, 1, 0, 7},
                              {20, 300, 64, 3, 14, 3, 1, 5}, {9, 129, 300, 8, 5, 8, 0, 0}};
  for (int c = 0; c < 6; c++)
    for (int kind = KC_RANDOM; kind <= KC_EDGE; kind++) {
      const int64_t *v = cases[c];
      search_f32(v[0], v[1], v[2], v[3], v[4], v[5], (int)v[6], v[7], kind);
      search_f64(v[0], v[1], v[2], v[3], v[4], v[5], (int)v[6], v[7], kind);
      search_split(v[0], v[1], v[2], v[3], v[4], kind);
      if (v[0] > 1) check_ivf_helpers(v[0], v[1], v[2], v[3], v[4], kind);
    }
  check_sort(5, 11, 3);
  check_sort(5, 13, 13);
  check_sort(10, 40, 37);
  check_sort(1, 64, 64);
  for (int edge = 0; edge <= 1; edge++) {
    check_offer_pairs(1, 4, 4, 1, 1, edge);
    check_offer_pairs(50, 7, 16, 3, 3, edge);
    check_offer_pairs(90, 14, 40, 5, 5, edge);
    check_offer_pairs(70, 30, 17, 12, 24, edge);
    check_offer_pairs(120, 64, 64, 80, 160, edge);
  }
}
