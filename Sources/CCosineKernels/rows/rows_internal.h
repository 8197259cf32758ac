// Private to the row kernels: the table of their implementations, one per kernel level.
#ifndef CK_ROWS_INTERNAL_H
#define CK_ROWS_INTERNAL_H
#include "../cpu/cpu_features.h"
#include "ck_rows.h"

typedef struct ck_kernels {
  const char *name;
  void (*rowsums_f32)(const float *, const float *, size_t, size_t, double *);
  void (*rowsums_f64)(const double *, const double *, size_t, size_t, double *);
  void (*rowsums_f16)(const uint16_t *, const uint16_t *, size_t, size_t, double *);
  void (*rowgrad_f32)(const float *, const float *, size_t, size_t, const double *, float *, float *);
  void (*rowgrad_f64)(const double *, const double *, size_t, size_t, const double *, double *, double *);
  void (*rowgrad_f16)(const uint16_t *, const uint16_t *, size_t, size_t, const double *, uint16_t *, uint16_t *);
  void (*rowscale_f32)(const float *, size_t, size_t, const double *, float *);
  void (*rowscale_f64)(const double *, size_t, size_t, const double *, double *);
  void (*rowscale_f16)(const uint16_t *, size_t, size_t, const double *, uint16_t *);
  void (*colsums_f32)(const float *, const float *, size_t, double *, double *, double *);
  void (*colgrad_f32)(const float *, const float *, size_t, const double *, const double *, const double *,
                      const double *, float *, float *);
} ck_kernels;

// The portable column kernels, shared by the tables that have no SIMD version of them.
void ck_scalar_colsums_f32(const float *a, const float *b, size_t n, double *d, double *q1, double *q2);
void ck_scalar_colgrad_f32(const float *a, const float *b, size_t n, const double *ca, const double *da,
                           const double *cb, const double *db, float *ga, float *gb);

extern const ck_kernels ck_kernels_scalar;
#if CK_X86
extern const ck_kernels ck_kernels_avx2;
extern const ck_kernels ck_kernels_avx512;
#endif

#endif
