#ifndef CCOSINEKERNELS_H
#define CCOSINEKERNELS_H
#include <stddef.h>
#include <stdint.h>
/// Returns 1 when the AVX-512 kernels can run on this CPU.
int ck_has_avx512(void);
#endif
