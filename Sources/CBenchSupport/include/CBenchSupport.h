#ifndef CBENCHSUPPORT_H
#define CBENCHSUPPORT_H
#include <stddef.h>

/// Sums n floats with plain vector adds (AVX-512 when the CPU has it, chosen at run time):
/// a read-bandwidth probe with as little arithmetic per byte as possible.
float bench_sum_f32(const float *x, size_t n);

#endif
