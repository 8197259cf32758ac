// The memory-bandwidth probe of cosine-bench: a sum with eight independent accumulators, so
// the loop is limited by loads, not by add latency.
#include "CBenchSupport.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static float sum_avx512(const float *x, size_t n) {
  __m512 s[8];
  for (int k = 0; k < 8; k++) s[k] = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 128 <= n; i += 128)
    for (int k = 0; k < 8; k++) s[k] = _mm512_add_ps(s[k], _mm512_loadu_ps(x + i + 16 * k));
  float total = 0;
  for (int k = 0; k < 8; k++) total += _mm512_reduce_add_ps(s[k]);
  for (; i < n; i++) total += x[i];
  return total;
}
#endif

static float sum_portable(const float *x, size_t n) {
  float s[8] = {0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) s[k] += x[i + k];
  float total = 0;
  for (int k = 0; k < 8; k++) total += s[k];
  for (; i < n; i++) total += x[i];
  return total;
}

float bench_sum_f32(const float *x, size_t n) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return sum_avx512(x, n);
#endif
  return sum_portable(x, n);
}
