#include <stdlib.h>
#include "internal.h"
#if defined(__x86_64__)
#pragma clang fp contract(off)

#define CG_ATTR __attribute__((target(CG_AVX512_FEATURES)))
#define CG_MR 16

#define CG_T float
#define CG_VL 16
#define CG_NRV 2
#define CG_FN(x) x##_f32_avx512
#define CG_HEAPS cg_heaps_f32
#include "gemm_template.h"
#undef CG_T
#undef CG_VL
#undef CG_NRV
#undef CG_FN
#undef CG_HEAPS

#define CG_T double
#define CG_VL 8
#define CG_NRV 2
#define CG_FN(x) x##_f64_avx512
#define CG_HEAPS cg_heaps_f64
#include "gemm_template.h"
#endif
