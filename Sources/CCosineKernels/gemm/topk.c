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

#define TK_T double
#define TK_FN(x) x##_f64
#define TK_HEAPS ck_heaps_f64
#include "topk_template.h"
#undef TK_T
#undef TK_FN
#undef TK_HEAPS
#undef TK_COLD
