// Top-k selection of the search kernels, for one scalar type (TK_T, names TK_FN(x), heaps
// TK_HEAPS). Nothing here depends on the instruction set: the offers, called from the search
// loops for the few scores above a query's threshold, are inlined there; the selection and the
// final sort (TK_COLD, compiled once per type in topk.c) are not.
//
// Each query owns `capacity` slots. When capacity == k they hold a bounded heap whose root is
// the worst entry: a candidate costs one comparison with the root, and O(log k) if it enters.
// When capacity > k (large k) they hold a reservoir: candidates above the threshold are
// appended, and when it is full the best k are selected (quickselect) and the threshold rises
// to the k-th best; O(1) per candidate on average. Either way the final order is made by
// `ck_sort_heaps`.

/// Reorders n > k entries so that [0, k) holds the best k (topk.c).
void TK_FN(ck_topk_select_best)(TK_T *hs, int64_t *hi, int64_t n, int64_t k);

/// `true` when (sa, ia) ranks after (sb, ib): lower score, or equal score and higher id;
/// NaN after every number.
static inline int TK_FN(worse)(TK_T sa, int64_t ia, TK_T sb, int64_t ib) {
  if (sa < sb) return 1;
  if (sa > sb) return 0;
  if (sa == sb) return ia > ib;
  const int na = sa != sa, nb = sb != sb;  // unordered: at least one NaN
  if (na != nb) return na;
  return ia > ib;
}

/// The filter threshold of a query's slots at the start of a call: scores not above it cannot
/// enter. NaN means "test all" (a heap not yet full, or any reservoir).
static inline TK_T TK_FN(threshold)(const TK_T *s, int64_t size, int64_t k, int64_t capacity) {
  return (size < k || capacity > k) ? (TK_T)__builtin_nan("") : s[0];
}

/// Moves the entry at `c` down a heap of `n` entries (worst at the root) until it is in place.
static inline void TK_FN(sift_down)(TK_T *hs, int64_t *hi, int64_t n, int64_t c, TK_T s, int64_t id) {
  for (;;) {
    int64_t l = 2 * c + 1;
    if (l >= n) break;
    if (l + 1 < n && TK_FN(worse)(hs[l + 1], hi[l + 1], hs[l], hi[l])) l++;
    if (!TK_FN(worse)(hs[l], hi[l], s, id)) break;
    hs[c] = hs[l];
    hi[c] = hi[l];
    c = l;
  }
  hs[c] = s;
  hi[c] = id;
}

/// Offers (s, id) to one bounded heap; returns its new threshold.
static inline TK_T TK_FN(offer)(TK_T *hs, int64_t *hi, int64_t *size, int64_t k, TK_T s, int64_t id) {
  int64_t n = *size;
  if (n < k) {
    int64_t c = n;
    while (c > 0) {
      const int64_t p = (c - 1) / 2;
      if (!TK_FN(worse)(s, id, hs[p], hi[p])) break;
      hs[c] = hs[p];
      hi[c] = hi[p];
      c = p;
    }
    hs[c] = s;
    hi[c] = id;
    *size = ++n;
    return TK_FN(threshold)(hs, n, k, k);
  }
  if (TK_FN(worse)(hs[0], hi[0], s, id)) TK_FN(sift_down)(hs, hi, n, 0, s, id);
  return TK_FN(threshold)(hs, n, k, k);
}

static inline void TK_FN(swap)(TK_T *hs, int64_t *hi, int64_t a, int64_t b) {
  const TK_T s = hs[a];
  const int64_t id = hi[a];
  hs[a] = hs[b];
  hi[a] = hi[b];
  hs[b] = s;
  hi[b] = id;
}

/// Appends (s, id) to a reservoir of `capacity` slots keeping the best k; returns the new
/// threshold (the k-th best after the last selection, NaN before the first).
static inline TK_T TK_FN(offer_reservoir)(TK_T *hs, int64_t *hi, int64_t *size, int64_t k, int64_t capacity,
                                          TK_T s, int64_t id, TK_T threshold) {
  int64_t n = *size;
  hs[n] = s;
  hi[n] = id;
  n++;
  if (n == capacity) {
    TK_FN(ck_topk_select_best)(hs, hi, n, k);
    n = k;
    threshold = hs[k - 1];
  }
  *size = n;
  return threshold;
}

/// Offers a candidate to a query's slots, a bounded heap (capacity == k) or a reservoir
/// (capacity > k); returns the new threshold. The one offer of every search driver.
static inline TK_T TK_FN(offer_candidate)(TK_T *hs, int64_t *hi, int64_t *size, int64_t k, int64_t capacity,
                                          TK_T s, int64_t id, TK_T threshold) {
  if (capacity > k) return TK_FN(offer_reservoir)(hs, hi, size, k, capacity, s, id, threshold);
  return TK_FN(offer)(hs, hi, size, k, s, id);
}

#ifdef TK_COLD

/// Reorders n > k entries so that [0, k) holds the best k and entry k − 1 is the k-th best
/// (quickselect, median-of-three pivots; the order is total, ids being distinct).
void TK_FN(ck_topk_select_best)(TK_T *hs, int64_t *hi, int64_t n, int64_t k) {
  int64_t lo = 0, hi_ = n - 1;
  const int64_t target = k - 1;
  while (lo < hi_) {
    const int64_t mid = lo + (hi_ - lo) / 2;
    // Order lo, mid, hi_ best first; the median ends in mid.
    if (TK_FN(worse)(hs[lo], hi[lo], hs[mid], hi[mid])) TK_FN(swap)(hs, hi, lo, mid);
    if (TK_FN(worse)(hs[mid], hi[mid], hs[hi_], hi[hi_])) TK_FN(swap)(hs, hi, mid, hi_);
    if (TK_FN(worse)(hs[lo], hi[lo], hs[mid], hi[mid])) TK_FN(swap)(hs, hi, lo, mid);
    TK_FN(swap)(hs, hi, mid, hi_);
    const TK_T ps = hs[hi_];
    const int64_t pid = hi[hi_];
    int64_t store = lo;
    for (int64_t i = lo; i < hi_; i++) {
      if (TK_FN(worse)(ps, pid, hs[i], hi[i])) {  // better than the pivot: to the left
        TK_FN(swap)(hs, hi, i, store);
        store++;
      }
    }
    TK_FN(swap)(hs, hi, store, hi_);
    if (store == target) return;
    if (store < target) lo = store + 1;
    else hi_ = store - 1;
  }
}

/// Heapsort of [0, n) into rank order, best first: the worst entry, at the root of a heap,
/// goes to the end, and so on.
static void TK_FN(heap_sort)(TK_T *hs, int64_t *hi, int64_t n, int is_heap) {
  if (!is_heap)
    for (int64_t c = n / 2 - 1; c >= 0; c--) TK_FN(sift_down)(hs, hi, n, c, hs[c], hi[c]);
  for (int64_t end = n - 1; end > 0; end--) {
    const TK_T s = hs[end];
    const int64_t id = hi[end];
    hs[end] = hs[0];
    hi[end] = hi[0];
    TK_FN(sift_down)(hs, hi, end, 0, s, id);
  }
}

/// Sorts [0, n) into rank order, best first: quicksort with median-of-three pivots and
/// insertion sort for short ranges, falling back to heapsort past a depth of 2·log2(n).
static void TK_FN(sort_range)(TK_T *hs, int64_t *hi, int64_t n, int depth) {
  while (n > 16) {
    if (depth-- == 0) {
      TK_FN(heap_sort)(hs, hi, n, 0);
      return;
    }
    const int64_t mid = n / 2, last = n - 1;
    if (TK_FN(worse)(hs[0], hi[0], hs[mid], hi[mid])) TK_FN(swap)(hs, hi, 0, mid);
    if (TK_FN(worse)(hs[mid], hi[mid], hs[last], hi[last])) TK_FN(swap)(hs, hi, mid, last);
    if (TK_FN(worse)(hs[0], hi[0], hs[mid], hi[mid])) TK_FN(swap)(hs, hi, 0, mid);
    TK_FN(swap)(hs, hi, mid, last);
    const TK_T ps = hs[last];
    const int64_t pid = hi[last];
    int64_t store = 0;
    for (int64_t i = 0; i < last; i++) {
      if (TK_FN(worse)(ps, pid, hs[i], hi[i])) {
        TK_FN(swap)(hs, hi, i, store);
        store++;
      }
    }
    TK_FN(swap)(hs, hi, store, last);
    // Recurse into the smaller side, loop on the larger.
    if (store < n - store - 1) {
      TK_FN(sort_range)(hs, hi, store, depth);
      hs += store + 1;
      hi += store + 1;
      n -= store + 1;
    } else {
      TK_FN(sort_range)(hs + store + 1, hi + store + 1, n - store - 1, depth);
      n = store;
    }
  }
  for (int64_t i = 1; i < n; i++) {
    const TK_T s = hs[i];
    const int64_t id = hi[i];
    int64_t j = i;
    while (j > 0 && TK_FN(worse)(hs[j - 1], hi[j - 1], s, id)) {
      hs[j] = hs[j - 1];
      hi[j] = hi[j - 1];
      j--;
    }
    hs[j] = s;
    hi[j] = id;
  }
}

/// Sorts each of the first `m` queries' entries in place into rank order, best first, keeping
/// the best k (a reservoir is cut to k first).
void TK_FN(ck_sort_heaps)(TK_HEAPS h, int64_t m) {
  for (int64_t q = 0; q < m; q++) {
    TK_T *hs = h.scores + q * h.capacity;
    int64_t *hi = h.ids + q * h.capacity;
    int64_t n = h.sizes[q];
    if (h.capacity > h.k) {
      if (n > h.k) {
        TK_FN(ck_topk_select_best)(hs, hi, n, h.k);
        n = h.k;
        h.sizes[q] = n;
      }
      int depth = 2;
      for (int64_t x = n; x > 1; x >>= 1) depth += 2;
      TK_FN(sort_range)(hs, hi, n, depth);
    } else {
      TK_FN(heap_sort)(hs, hi, n, 1);
    }
  }
}

#endif  // TK_COLD
