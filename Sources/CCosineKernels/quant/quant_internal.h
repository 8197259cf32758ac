#ifndef CQ_INTERNAL_H
#define CQ_INTERNAL_H
#include "../gemm/internal.h"
#include "ck_quant.h"
#include "ck_status.h"

// The AVX-512 forms of the quantized passes (quant_avx512.c); quant.c dispatches.
void ck_scan_int8_vnni(const uint8_t *codes, const float *inv_scale, const float *err, int64_t d,
                       int64_t first_panel, int64_t panels, const int8_t *q, int32_t qbias,
                       float inv_t, float phi, float ahat, float gamma, float *lower, float *upper);
void ck_score_panels_avx512(const float *a, const uint16_t *hi, const uint16_t *lo, int64_t d,
                            const int64_t *panels, int64_t count, float *out);

#define CQ_VNNI_FEATURES CK_VNNI_FEATURES
#define CQ_MARGIN_FACTOR (1.0f + 0x1p-12f)
#define CQ_MARGIN_FLOOR 0x1p-20f

/// The float of a split panel element.
static inline float ck_unsplit(uint16_t h, uint16_t l) {
  union {
    uint32_t u;
    float f;
  } v;
  v.u = ((uint32_t)h << 16) | l;
  return v.f;
}
#endif
