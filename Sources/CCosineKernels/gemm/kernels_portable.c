#include <stdlib.h>
#include <string.h>
#include "internal.h"
#pragma clang fp contract(off)

#define CG_ATTR
#define CG_MR 16

#define CG_T float
#define CG_VL 4
#define CG_NRV 4
#define CG_FN(x) x##_f32_portable
#define CG_TK(x) x##_f32
#define CG_HEAPS ck_heaps_f32
// Split panels of width 16, in the lane order of the AVX2 kernels (data packed by one level
// is read by the others).
#define CG_SPLIT_LOAD(bv, hp, lp)                                                           \
  do {                                                                                      \
    float t_[16];                                                                           \
    for (int r_ = 0; r_ < 16; r_++) {                                                       \
      const int64_t s_ = ck_split_slot(r_, 16);                                             \
      const uint32_t u_ = ((uint32_t)(hp)[s_] << 16) | (lp)[s_];                            \
      memcpy(&t_[r_], &u_, 4);                                                              \
    }                                                                                       \
    for (int v_ = 0; v_ < 4; v_++) (bv)[v_] = *(const CG_FN(vecu) *)(t_ + 4 * v_);         \
  } while (0)
#define CG_APPROX_LOAD(bv, hp)                                                              \
  do {                                                                                      \
    float t_[16];                                                                           \
    for (int r_ = 0; r_ < 16; r_++) {                                                       \
      const uint32_t u_ = (uint32_t)(hp)[ck_split_slot(r_, 16)] << 16;                      \
      memcpy(&t_[r_], &u_, 4);                                                              \
    }                                                                                       \
    for (int v_ = 0; v_ < 4; v_++) (bv)[v_] = *(const CG_FN(vecu) *)(t_ + 4 * v_);         \
  } while (0)
#include "gemm_template.h"
#undef CG_SPLIT_LOAD
#undef CG_APPROX_LOAD
#undef CG_T
#undef CG_VL
#undef CG_NRV
#undef CG_FN
#undef CG_TK
#undef CG_HEAPS

#define CG_T double
#define CG_VL 2
#define CG_NRV 4
#define CG_FN(x) x##_f64_portable
#define CG_TK(x) x##_f64
#define CG_HEAPS ck_heaps_f64
#include "gemm_template.h"
