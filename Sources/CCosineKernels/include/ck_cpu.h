#ifndef CK_CPU_H
#define CK_CPU_H

// The instruction set every kernel of CCosineKernels runs with: one CPU detection and one
// level, for the row kernels, the packed GEMM and search, the losses' kernels, the quantized
// passes and the analyses alike.
//
// Levels: 0 = portable C, 1 = AVX2 + FMA + F16C, 2 = AVX-512 (F, BW, VL, DQ with FMA and
// F16C). A kernel runs at `ck_level()`: the CPU's level, capped by the calling thread's limit.
// Every level computes the results its kernel documents (most bitwise the same; see each
// header), so the limit exists for tests of the lower paths.
//
// Data follows its layout, not the level: panels packed at one level (their width) are read by
// the kernels of that width whatever the limit of the thread that reads them.

#ifdef __cplusplus
extern "C" {
#endif

/// The highest level this CPU supports (0, 1 or 2), detected once per process.
int ck_cpu_level(void);

/// The level the kernels use on the calling thread: min(ck_cpu_level(), ck_thread_level_limit()).
int ck_level(void);

/// Caps the level of every kernel called **on the calling thread** from now on (values are
/// clamped to 0 ... 2; 2, the default of every thread, means automatic: the best the CPU has).
///
/// Per thread only: kernels running on other threads, including threads a caller hands work to,
/// keep their own limit, so a test of one path never changes the results or the speed of other
/// work. Code that spreads one operation over worker threads and wants the whole operation at
/// one level must set the limit on each worker (and restore it) itself.
void ck_set_thread_level_limit(int level);

/// The calling thread's limit set by ck_set_thread_level_limit (2 when never set).
int ck_thread_level_limit(void);

#ifdef __cplusplus
}
#endif
#endif
