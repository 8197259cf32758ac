// Portable scalar kernels: the fallback on CPUs without AVX2/AVX-512 and on other
// architectures, and the reference path at kernel level 0 (ck_set_thread_level_limit(0)).
//
// Same semantics as the SIMD kernels: f32/f64 accumulate in double, f16 in float; the
// element-wise kernels evaluate exactly the same operations (two products and a difference,
// no fused multiply-add), so they give bit-identical results to the SIMD kernels.
#include "../convert/half.h"
#include "rows_internal.h"

// Keep `x*y - z*w` as two roundings of products and one of the difference on every target
// (no contraction into fma), like the SIMD kernels.
// (GCC ignores the STDC pragma; it only contracts with -ffp-contract=fast on FMA targets.)
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

// The row kernels, written once in rows_portable_template.h and instantiated per element type:
// RT_T is the element type, RT_ACC the type every element is widened to and every sum and
// product is evaluated in, RT_LOAD widens one element, RT_STORE narrows one result.

#define RT_FN(x) x##_f32
#define RT_T float
#define RT_ACC double
#define RT_LOAD(x) ((double)(x))
#define RT_STORE(v) ((float)(v))
#include "rows_portable_template.h"

#define RT_FN(x) x##_f64
#define RT_T double
#define RT_ACC double
#define RT_LOAD(x) (x)
#define RT_STORE(v) (v)
#include "rows_portable_template.h"

// Half precision: widened to float, summed and evaluated in float (the partial sums are
// combined in double at the end), rounded back to half to nearest even.
#define RT_FN(x) x##_f16
#define RT_T uint16_t
#define RT_ACC float
#define RT_LOAD(x) ck_half_to_float(x)
#define RT_STORE(v) ck_float_to_half(v)
#include "rows_portable_template.h"

// ---------------------------------------------------------------------------------------------
// Column kernels.

void ck_scalar_colsums_f32(const float *a, const float *b, size_t n, double *d, double *q1, double *q2) {
  for (size_t i = 0; i < n; i++) {
    double x = a[i], y = b[i];
    d[i] += x * y;
    q1[i] += x * x;
    q2[i] += y * y;
  }
}

void ck_scalar_colgrad_f32(const float *a, const float *b, size_t n, const double *ca, const double *da,
                           const double *cb, const double *db, float *ga, float *gb) {
  for (size_t i = 0; i < n; i++) {
    double x = a[i], y = b[i];
    if (ga) ga[i] = (float)(ca[i] * y - da[i] * x);
    if (gb) gb[i] = (float)(cb[i] * x - db[i] * y);
  }
}

const ck_kernels ck_kernels_scalar = {
  "scalar",
  rowsums_f32, rowsums_f64, rowsums_f16,
  rowgrad_f32, rowgrad_f64, rowgrad_f16,
  rowscale_f32, rowscale_f64, rowscale_f16,
  ck_scalar_colsums_f32, ck_scalar_colgrad_f32,
};
