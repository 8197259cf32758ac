// Private to CCosineKernels: the instruction-set features behind each level (cpu.c detects
// them; kernels compile with the same strings in their `target` attributes).
#ifndef CK_CPU_FEATURES_H
#define CK_CPU_FEATURES_H
#include "ck_cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#define CK_X86 1
#else
#define CK_X86 0
#endif

#define CK_AVX512_FEATURES "avx512f,avx512bw,avx512vl,avx512dq,fma,f16c"
#define CK_AVX2_FEATURES "avx2,fma,f16c"
#define CK_VNNI_FEATURES "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma"

/// 1 when the CPU has AVX-512 VNNI (vpdpbusd) on top of level 2.
int ck_cpu_has_vnni(void);
/// 1 when the CPU has the popcnt instruction.
int ck_cpu_has_popcnt(void);
/// The L2 cache of one core in bytes, probed once (cache_sizes.c): sysconf's report clamped to
/// [256 KiB, 8 MiB], 1 MiB when it reports nothing.
long ck_l2_cache_bytes(void);
#endif
