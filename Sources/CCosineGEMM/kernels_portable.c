#include <stdlib.h>
#include "internal.h"
#pragma clang fp contract(off)

#define CG_ATTR
#define CG_MR 16

#define CG_T float
#define CG_VL 4
#define CG_NRV 4
#define CG_FN(x) x##_f32_portable
#define CG_HEAPS cg_heaps_f32
#include "gemm_template.h"
#undef CG_T
#undef CG_VL
#undef CG_NRV
#undef CG_FN
#undef CG_HEAPS

#define CG_T double
#define CG_VL 2
#define CG_NRV 4
#define CG_FN(x) x##_f64_portable
#define CG_HEAPS cg_heaps_f64
#include "gemm_template.h"
