// The top-k selection and final sort of the search kernels, compiled once per scalar type (none
// of it depends on the instruction set; the search loops inline the offers from the same
// template).
#include "internal.h"

#define TK_COLD
#define TK_T float
#define TK_FN(x) x##_f32
#define TK_HEAPS ck_heaps_f32
#include "topk_template.h"
#undef TK_T
#undef TK_FN
#undef TK_HEAPS

void ck_heaps_offer_f32(ck_heaps_f32 h, int64_t q, float s, int64_t id) {
  float *hs = h.scores + q * h.capacity;
  int64_t *hi = h.ids + q * h.capacity;
  if (h.capacity > h.k) {
    // A reservoir keeps the best k at each selection whatever was appended.
    offer_reservoir_f32(hs, hi, h.sizes + q, h.k, h.capacity, s, id, __builtin_nanf(""));
  } else if (h.k > 0) {
    offer_f32(hs, hi, h.sizes + q, h.k, s, id);
  }
}

#define TK_T double
#define TK_FN(x) x##_f64
#define TK_HEAPS ck_heaps_f64
#include "topk_template.h"
#undef TK_T
#undef TK_FN
#undef TK_HEAPS
#undef TK_COLD
